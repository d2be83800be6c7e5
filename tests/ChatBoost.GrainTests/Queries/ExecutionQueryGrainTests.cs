using System.Text.Json.Nodes;
using ChatBoost.Grains.Interfaces.Flows;

namespace ChatBoost.GrainTests.Queries;

/// <summary>The execution queries over rows written straight into <c>flow_executions</c> and <c>flow_execution_logs</c>.</summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class ExecutionQueryGrainTests(ChatBoostClusterFixture fixture)
{
    private readonly QuerySeed _seed = new(fixture);

    private IExecutionQueryGrain Queries => fixture.Grains.GetGrain<IExecutionQueryGrain>(0);

    [Fact]
    public async Task Find_and_get_map_the_row()
    {
        var org = await _seed.OrganizationAsync();
        var bot = await _seed.BotAsync(org);
        var flow = await _seed.FlowAsync(org, bot, "Welcome");
        var phone = QuerySeed.NewPhone();
        var contact = await _seed.ContactAsync(org, bot, phone);
        var started = QuerySeed.T0.AddMinutes(5);
        var waiting = await _seed.ExecutionAsync(
            org, bot, flow, contact, phone, ExecutionStatuses.WaitingForReply, started, state: """{"name": "Ada", "n": 1}""",
            currentNodeId: 42, trigger: "api", startedBy: 7, steps: 3);
        var failed = await _seed.ExecutionAsync(
            org, bot, flow, contact, phone, ExecutionStatuses.Failed, started, started.AddSeconds(90), error: "webhook timed out");

        Assert.Equal(new ExecutionAddress(waiting, org, bot, phone), await Queries.FindAsync(waiting));
        Assert.Null(await Queries.FindAsync(long.MaxValue));
        Assert.Null(await Queries.GetAsync(long.MaxValue));

        var view = await Queries.GetAsync(waiting);
        Assert.NotNull(view);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"n":1,"name":"Ada"}"""), JsonNode.Parse(view.StateJson)), view.StateJson);
        Assert.Equal(
            new ExecutionView(
                waiting, org, bot, flow, 1, contact, phone, ExecutionStatuses.WaitingForReply, 42, view.StateJson, started.AddHours(1), null, 3,
                "api", 7, started, started, null),
            view);
        Assert.Equal(TimeSpan.Zero, view.StartedAt.Offset);

        var ended = await Queries.GetAsync(failed);
        Assert.Equal(
            (ExecutionStatuses.Failed, "webhook timed out", (DateTimeOffset?)started.AddSeconds(90), (DateTimeOffset?)null, (long?)null, "inbound", "{}"),
            (ended!.Status, ended.Error, ended.EndedAt, ended.WakeAt, ended.StartedBy, ended.Trigger, ended.StateJson));
    }

    [Fact]
    public async Task List_by_phone_pages_newest_first_within_the_organizations()
    {
        var org = await _seed.OrganizationAsync();
        var bot1 = await _seed.BotAsync(org);
        var bot2 = await _seed.BotAsync(org);
        var flow1 = await _seed.FlowAsync(org, bot1, "One");
        var flow2 = await _seed.FlowAsync(org, bot2, "Two");
        var otherOrg = await _seed.OrganizationAsync("Other");
        var otherBot = await _seed.BotAsync(otherOrg);
        var otherFlow = await _seed.FlowAsync(otherOrg, otherBot, "Other");
        var phone = QuerySeed.NewPhone();
        var contact1 = await _seed.ContactAsync(org, bot1, phone);
        var contact2 = await _seed.ContactAsync(org, bot2, phone);
        var otherContact = await _seed.ContactAsync(otherOrg, otherBot, phone);
        var neighbourPhone = QuerySeed.NewPhone();
        var neighbour = await _seed.ContactAsync(org, bot1, neighbourPhone);

        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _seed.ExecutionAsync(org, bot1, flow1, contact1, phone, ExecutionStatuses.Completed));
            await _seed.ExecutionAsync(otherOrg, otherBot, otherFlow, otherContact, phone, ExecutionStatuses.Completed);
        }

        ids.Add(await _seed.ExecutionAsync(org, bot1, flow1, contact1, phone, ExecutionStatuses.Running));
        var onBot2 = await _seed.ExecutionAsync(org, bot2, flow2, contact2, phone, ExecutionStatuses.Cancelled);
        ids.Add(onBot2);
        await _seed.ExecutionAsync(org, bot1, flow1, neighbour, neighbourPhone, ExecutionStatuses.Completed);

        var first = await Queries.ListByPhoneAsync([org], phone, null, 3, 0);
        var second = await Queries.ListByPhoneAsync([org], phone, null, 3, 3);
        Assert.Equal((5L, 5L), (first.Total, second.Total));
        Assert.Equal(3, first.Items.Count);
        Assert.Equal(ids.OrderDescending(), first.Items.Concat(second.Items).Select(e => e.Id));
        Assert.All(first.Items.Concat(second.Items), e => Assert.Equal((org, phone), (e.OrganizationId, e.ContactPhone)));

        var bot2Page = await Queries.ListByPhoneAsync([org], phone, bot2, 10, 0);
        Assert.Equal((1L, onBot2), (bot2Page.Total, bot2Page.Items.Single().Id));
        Assert.Equal(8, (await Queries.ListByPhoneAsync([org, otherOrg], phone, null, 200, 0)).Total);
        AssertEmpty(await Queries.ListByPhoneAsync([org], phone, otherBot, 10, 0));
        AssertEmpty(await Queries.ListByPhoneAsync([], phone, null, 10, 0));
        AssertEmpty(await Queries.ListByPhoneAsync([org], QuerySeed.NewPhone(), null, 10, 0));

        var past = await Queries.ListByPhoneAsync([org], phone, null, 10, 10);
        Assert.Equal((0, 5L), (past.Items.Count, past.Total));
        Assert.Single((await Queries.ListByPhoneAsync([org], phone, null, -1, -1)).Items);
    }

    [Fact]
    public async Task Logs_page_by_seq_and_stay_with_their_execution()
    {
        var org = await _seed.OrganizationAsync();
        var bot = await _seed.BotAsync(org);
        var flow = await _seed.FlowAsync(org, bot, "Logged");
        var phone = QuerySeed.NewPhone();
        var contact = await _seed.ContactAsync(org, bot, phone);
        var execution = await _seed.ExecutionAsync(org, bot, flow, contact, phone, ExecutionStatuses.Completed);
        var other = await _seed.ExecutionAsync(org, bot, flow, contact, phone, ExecutionStatuses.Failed);
        for (var seq = 5; seq >= 1; seq--) // written out of order: the query orders
        {
            await _seed.LogAsync(execution, seq, "step", seq == 5 ? "error" : "info", $"line {seq}", seq == 1 ? null : 100 + seq, seq == 1 ? null : "send_message");
        }

        await _seed.LogAsync(other, 1, "started", "info", "other");

        Assert.Equal([1, 2], (await Queries.GetLogsAsync(execution, 0, 2)).Select(l => l.Seq));
        Assert.Equal([3, 4], (await Queries.GetLogsAsync(execution, 2, 2)).Select(l => l.Seq));
        Assert.Equal([5], (await Queries.GetLogsAsync(execution, 4, 10)).Select(l => l.Seq));
        Assert.Empty(await Queries.GetLogsAsync(execution, 5, 10));
        Assert.Equal([1, 2, 3, 4, 5], (await Queries.GetLogsAsync(execution, -3, 500)).Select(l => l.Seq));
        Assert.Empty(await Queries.GetLogsAsync(long.MaxValue, 0, 10));

        var logs = await Queries.GetLogsAsync(execution, 0, 10);
        Assert.Equal(new ExecutionLogView(1, null, null, "step", "info", "line 1", QuerySeed.T0.AddSeconds(1)), logs[0]);
        Assert.Equal(new ExecutionLogView(5, 105, "send_message", "step", "error", "line 5", QuerySeed.T0.AddSeconds(5)), logs[4]);
        Assert.Equal("other", (await Queries.GetLogsAsync(other, 0, 10)).Single().Detail);
    }

    [Fact]
    public async Task Statistics_count_every_status_rate_completions_and_average_completed_durations()
    {
        var org = await _seed.OrganizationAsync();
        var bot = await _seed.BotAsync(org);
        var bot2 = await _seed.BotAsync(org);
        var welcome = await _seed.FlowAsync(org, bot, "Welcome");
        var survey = await _seed.FlowAsync(org, bot, "Survey");
        var idle = await _seed.FlowAsync(org, bot2, "Idle");
        var otherOrg = await _seed.OrganizationAsync("Other");
        var otherBot = await _seed.BotAsync(otherOrg);
        var otherFlow = await _seed.FlowAsync(otherOrg, otherBot, "Other");

        // An active execution needs a contact of its own (one active execution per contact).
        async Task RunAsync(long o, long b, long f, string status, int seconds = 1)
        {
            var phone = QuerySeed.NewPhone();
            var contact = await _seed.ContactAsync(o, b, phone);
            await _seed.ExecutionAsync(o, b, f, contact, phone, status, QuerySeed.T0, QuerySeed.T0.AddSeconds(seconds));
        }

        // welcome: 3 completed (10 s, 20 s, 30 s), 1 failed, 1 running.
        await RunAsync(org, bot, welcome, ExecutionStatuses.Completed, 10);
        await RunAsync(org, bot, welcome, ExecutionStatuses.Completed, 20);
        await RunAsync(org, bot, welcome, ExecutionStatuses.Completed, 30);
        await RunAsync(org, bot, welcome, ExecutionStatuses.Failed, 500);
        await RunAsync(org, bot, welcome, ExecutionStatuses.Running);
        // survey: 1 completed (60 s), 1 cancelled, 1 waiting, 1 waiting for a reply.
        await RunAsync(org, bot, survey, ExecutionStatuses.Completed, 60);
        await RunAsync(org, bot, survey, ExecutionStatuses.Cancelled, 900);
        await RunAsync(org, bot, survey, ExecutionStatuses.Waiting);
        await RunAsync(org, bot, survey, ExecutionStatuses.WaitingForReply);
        // idle (another bot of the organization): 1 running. Another organization: 5 completed.
        await RunAsync(org, bot2, idle, ExecutionStatuses.Running);
        for (var i = 0; i < 5; i++)
        {
            await RunAsync(otherOrg, otherBot, otherFlow, ExecutionStatuses.Completed, 1000);
        }

        var all = await Queries.GetStatisticsAsync([org], null, null);
        Assert.Equal(10, all.Total);
        AssertStatuses(all.ByStatus, running: 2, waiting: 1, waitingForReply: 1, completed: 4, failed: 1, cancelled: 1);
        Assert.Equal(4.0 / 6, all.CompletionRate!.Value, 9);
        Assert.Equal(30.0, all.AverageDurationSeconds!.Value, 9); // (10 + 20 + 30 + 60) / 4
        Assert.Equal([welcome, survey, idle], all.ByFlow.Select(f => f.FlowId));
        Assert.Equal(["Welcome", "Survey", "Idle"], all.ByFlow.Select(f => f.FlowName));
        Assert.Equal([5L, 4L, 1L], all.ByFlow.Select(f => f.Total));
        AssertStatuses(all.ByFlow[0].ByStatus, running: 1, waiting: 0, waitingForReply: 0, completed: 3, failed: 1, cancelled: 0);
        AssertStatuses(all.ByFlow[1].ByStatus, running: 0, waiting: 1, waitingForReply: 1, completed: 1, failed: 0, cancelled: 1);
        Assert.Equal(20.0, all.ByFlow[0].AverageDurationSeconds!.Value, 9);
        Assert.Equal(60.0, all.ByFlow[1].AverageDurationSeconds!.Value, 9);
        Assert.Null(all.ByFlow[2].AverageDurationSeconds);

        var surveyOnly = await Queries.GetStatisticsAsync([org], null, survey);
        Assert.Equal((4L, 0.5, 60.0), (surveyOnly.Total, surveyOnly.CompletionRate, surveyOnly.AverageDurationSeconds));
        Assert.Equal([survey], surveyOnly.ByFlow.Select(f => f.FlowId));

        // Nothing ended yet: no rate and no average rather than zero.
        var idleBot = await Queries.GetStatisticsAsync([org], bot2, null);
        Assert.Equal(1, idleBot.Total);
        AssertStatuses(idleBot.ByStatus, running: 1, waiting: 0, waitingForReply: 0, completed: 0, failed: 0, cancelled: 0);
        Assert.Null(idleBot.CompletionRate);
        Assert.Null(idleBot.AverageDurationSeconds);

        // Another organization's flow, bot, or no organization at all: every status present and zero.
        foreach (var empty in new[]
                 {
                     await Queries.GetStatisticsAsync([org], null, otherFlow),
                     await Queries.GetStatisticsAsync([org], otherBot, null),
                     await Queries.GetStatisticsAsync([], null, null),
                 })
        {
            Assert.Equal(0, empty.Total);
            AssertStatuses(empty.ByStatus, running: 0, waiting: 0, waitingForReply: 0, completed: 0, failed: 0, cancelled: 0);
            Assert.Null(empty.CompletionRate);
            Assert.Null(empty.AverageDurationSeconds);
            Assert.Empty(empty.ByFlow);
        }

        Assert.Equal(15, (await Queries.GetStatisticsAsync([org, otherOrg], null, null)).Total);
    }

    [Fact]
    public async Task Statistics_order_flows_of_equal_totals_by_id()
    {
        var org = await _seed.OrganizationAsync();
        var bot = await _seed.BotAsync(org);
        var first = await _seed.FlowAsync(org, bot, "First");
        var second = await _seed.FlowAsync(org, bot, "Second");
        foreach (var flow in new[] { second, first, second, first })
        {
            var phone = QuerySeed.NewPhone();
            await _seed.ExecutionAsync(org, bot, flow, await _seed.ContactAsync(org, bot, phone), phone, ExecutionStatuses.Failed);
        }

        var stats = await Queries.GetStatisticsAsync([org], null, null);
        Assert.Equal([first, second], stats.ByFlow.Select(f => f.FlowId));
        Assert.Equal(0.0, stats.CompletionRate);
        Assert.Null(stats.AverageDurationSeconds);
    }

    private static void AssertStatuses(
        IReadOnlyDictionary<string, long> byStatus, long running, long waiting, long waitingForReply, long completed, long failed, long cancelled)
    {
        Assert.Equal(ExecutionStatuses.All.Order(), byStatus.Keys.Order());
        Assert.Equal(
            (running, waiting, waitingForReply, completed, failed, cancelled),
            (byStatus[ExecutionStatuses.Running], byStatus[ExecutionStatuses.Waiting], byStatus[ExecutionStatuses.WaitingForReply],
                byStatus[ExecutionStatuses.Completed], byStatus[ExecutionStatuses.Failed], byStatus[ExecutionStatuses.Cancelled]));
    }

    private static void AssertEmpty(ExecutionPage page) => Assert.Equal((0, 0L), (page.Items.Count, page.Total));
}
