using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Analytics;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.GrainTests.Flows;
using Npgsql;

namespace ChatBoost.GrainTests.Analytics;

/// <summary>
/// The per-node funnel rollup on real executions: what the aggregation writes for waiting, replied, cancelled and timed
/// out executions; an execution that moves on days later changes the rows of its entry's hour at the next tick (and
/// empties the flow's cached funnel); a second run changes nothing; a zone whose days do not begin on a whole UTC hour
/// is refused.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class FunnelRollupTests(ChatBoostClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private static TemplateNode Node(long key, string type, string config) => new(key, type, null, config);

    /// <summary>1: wait for a reply (then 2) or the timeout (then the end); 2: remember the answer, end.</summary>
    private Task<FlowScenario> AskAsync(string timeout) => FlowScenario.CreateAsync(Grains,
        Node(1, "wait", $$"""{"until": "reply", "timeout": {{timeout}}, "store_response_in": "state.answer", "next": 2, "timeout_path": null}"""),
        Node(2, "set_attribute", """{"attribute_key": "answer", "attribute_value": "{{state.answer}}", "next": null}"""));

    [Fact]
    public async Task The_funnel_rows_follow_each_entry_to_its_outcome_even_when_it_comes_days_later()
    {
        var ask = await AskAsync("""5, "timeout_unit": "days" """);
        var replied = FlowScenario.NewPhone();
        var cancelled = FlowScenario.NewPhone();
        var later = FlowScenario.NewPhone();
        await ask.StartAsync(Grains, replied);
        var toCancel = await ask.StartAsync(Grains, cancelled);
        await ask.StartAsync(Grains, later);
        await ReplyAsync(ask, replied);
        await using var connection = await fixture.OpenAsync();
        Assert.True(await FlowScenario.EventuallyAsync(async () => await StatusAsync(connection, ask.FlowId, replied) == ExecutionStatuses.Completed, TimeSpan.FromSeconds(10)));
        Assert.True((await ask.Contact(Grains, cancelled).CancelExecutionAsync(toCancel.Id, "changed our mind")).IsOk);

        var briefly = await AskAsync("""1, "timeout_unit": "seconds" """);
        var silent = FlowScenario.NewPhone();
        await briefly.StartAsync(Grains, silent);
        Assert.True(await FlowScenario.EventuallyAsync(async () => await StatusAsync(connection, briefly.FlowId, silent) == ExecutionStatuses.Completed, TimeSpan.FromSeconds(30)));

        var aggregation = Grains.GetGrain<IAnalyticsAggregationGrain>(0);
        await aggregation.RunNowAsync(AnalyticsRuns.Tick);

        // node|entered|left|waited|failed|dropped_off|still_there
        Assert.Equal(["1|3|1|3|0|1|1", "2|1|1|0|0|0|0"], await RowsAsync(connection, ask.FlowId));
        Assert.Equal(["1|1|0|1|0|1|0"], await RowsAsync(connection, briefly.FlowId));
        var first = await FunnelAsync(ask.FlowId, AnalyticsPeriodNames.Last7Days);
        Assert.Equal(3, first.Executions);
        Assert.Equal((3L, 1L, 3L, 1L, 1L), Counts(first.Nodes[0]));

        // Two days on, the waiting customer answers: the next tick recomputes the hour of that entry, two days back.
        try
        {
            fixture.Clock.Advance(TimeSpan.FromDays(2));
            await ReplyAsync(ask, later);
            Assert.True(await FlowScenario.EventuallyAsync(async () => await StatusAsync(connection, ask.FlowId, later) == ExecutionStatuses.Completed, TimeSpan.FromSeconds(10)));
            await aggregation.RunNowAsync(AnalyticsRuns.Tick);

            Assert.Equal(["1|3|2|3|0|1|0", "2|2|2|0|0|0|0"], await RowsAsync(connection, ask.FlowId));
            var second = await FunnelAsync(ask.FlowId, AnalyticsPeriodNames.Last7Days);
            Assert.Equal(3, second.Executions);
            Assert.Equal((3L, 2L, 3L, 1L, 0L), Counts(second.Nodes[0]));
            Assert.Equal((2L, 2L, 0L, 0L, 0L), Counts(second.Nodes[1]));

            var stamps = await ComputedAtAsync(connection, ask.FlowId);
            await aggregation.RunNowAsync(AnalyticsRuns.Tick);
            Assert.Equal(stamps, await ComputedAtAsync(connection, ask.FlowId));
        }
        finally
        {
            fixture.Clock.Reset();
        }

        var refused = await Grains.GetGrain<IAnalyticsQueryGrain>(0).FunnelAsync(ask.FlowId, null, AnalyticsPeriodNames.Today, "Asia/Kolkata");
        Assert.Equal((CommandStatus.Invalid, "tz"), (refused.Status, refused.Field));
    }

    private static (long Entered, long Left, long Waited, long DroppedOff, long StillThere) Counts(FunnelNode node) =>
        (node.Entered, node.Left, node.Waited, node.DroppedOff, node.StillThere);

    private async Task<FlowFunnelReport> FunnelAsync(long flowId, string period)
    {
        var result = await Grains.GetGrain<IAnalyticsQueryGrain>(0).FunnelAsync(flowId, null, period, "UTC");
        Assert.True(result.IsOk, result.Detail);
        return result.Value!;
    }

    private async Task ReplyAsync(FlowScenario scenario, string phone)
    {
        var reply = new InboundMessageInput(scenario.OrganizationId, "wamid.f-" + Guid.NewGuid().ToString("N"), "Ada", "text",
            "Yes", """{"type":"text"}""", fixture.Clock.GetUtcNow());
        Assert.Equal(InboundOutcome.Recorded, await scenario.Contact(Grains, phone).RecordInboundAsync(reply));
    }

    private static async Task<string?> StatusAsync(NpgsqlConnection connection, long flowId, string phone)
    {
        await using var command = new NpgsqlCommand("SELECT status FROM flow_executions WHERE flow_id = @flow AND contact_wa_id = @phone", connection);
        command.Parameters.AddWithValue("flow", flowId);
        command.Parameters.AddWithValue("phone", phone);
        return (string?)await command.ExecuteScalarAsync();
    }

    /// <summary>The flow's funnel rows summed over hours, by node (nodes are numbered by their order in the flow).</summary>
    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, long flowId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT concat_ws('|', dense_rank() OVER (ORDER BY node_id), sum(entered), sum(left_count), sum(waited), sum(failed),
                             sum(dropped_off), sum(still_there))
            FROM flow_node_hourly_stats WHERE flow_id = @flow GROUP BY node_id ORDER BY node_id
            """, connection);
        command.Parameters.AddWithValue("flow", flowId);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static async Task<List<DateTimeOffset>> ComputedAtAsync(NpgsqlConnection connection, long flowId)
    {
        await using var command = new NpgsqlCommand("SELECT computed_at FROM flow_node_hourly_stats WHERE flow_id = @flow ORDER BY hour, node_id", connection);
        command.Parameters.AddWithValue("flow", flowId);
        var stamps = new List<DateTimeOffset>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stamps.Add(reader.GetFieldValue<DateTimeOffset>(0));
        }

        return stamps;
    }
}
