using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.GrainTests.Flows;
using Npgsql;

namespace ChatBoost.GrainTests.Triggers;

/// <summary>The trigger set grain on the real silo and PostgreSQL: its rows are its state, and a match is logged once.</summary>
[Collection(ChatBoostClusterCollection.Name)]
public class TriggerSetGrainTests(ChatBoostClusterFixture fixture)
{
    private static TriggerDefinition Keyword(long flowId, params string[] keywords) => new(
        "Keywords", null, flowId, "keyword", true, 10, keywords, "exact", false, false, null, null, null, null, null, null, null, null, null);

    private static Task<FlowScenario> ScenarioAsync(IGrainFactory grains) => FlowScenario.CreateAsync(grains,
        new TemplateNode(1, "send_message", null, """{"message_type": "text", "content": {"text": "hi"}}"""));

    [Fact]
    public async Task TriggersSurviveADeactivation_AndAnInactiveOneMatchesNothing()
    {
        var scenario = await ScenarioAsync(fixture.Grains);
        var set = fixture.Grains.GetGrain<ITriggerSetGrain>(scenario.BotId);
        var created = await set.CreateAsync(scenario.OrganizationId, scenario.UserId, Keyword(scenario.FlowId, "Hi", "hello"));
        Assert.True(created.IsOk, created.Detail);

        await fixture.DeactivateAsync(set);
        var reloaded = await set.GetAsync(created.Value!.Id);
        Assert.Equal(["Hi", "hello"], reloaded!.Definition.Keywords);
        var match = await set.MatchInboundAsync(1, "4915100000009", "  HI ");
        Assert.Equal(created.Value.Id, match!.TriggerId);
        Assert.Equal("Hi", match.Keyword); // the keyword as the trigger has it

        Assert.True((await set.SetActiveAsync(created.Value.Id, false)).IsOk);
        await fixture.DeactivateAsync(set);
        Assert.Null(await set.MatchInboundAsync(2, "4915100000009", "hi"));
        Assert.Equal(CommandStatus.Invalid, (await set.UpdateAsync(created.Value.Id, Keyword(scenario.FlowId))).Status); // no keywords
    }

    [Fact]
    public async Task AMessageAskedAboutTwiceIsLoggedAndCountedOnce()
    {
        var scenario = await ScenarioAsync(fixture.Grains);
        var set = fixture.Grains.GetGrain<ITriggerSetGrain>(scenario.BotId);
        var created = await set.CreateAsync(scenario.OrganizationId, scenario.UserId, Keyword(scenario.FlowId, "menu"));
        var messageId = Random.Shared.NextInt64(1, long.MaxValue);
        Assert.NotNull(await set.MatchInboundAsync(messageId, "4915100000010", "menu"));
        Assert.NotNull(await set.MatchInboundAsync(messageId, "4915100000010", "menu")); // the consumer's retry after a failed commit

        var logs = await fixture.Grains.GetGrain<ITriggerQueryGrain>(0).LogsAsync(created.Value!.Id, 50, 0);
        Assert.Equal(1, logs.Total);
        Assert.Equal("matched", logs.Items[0].Event);
        var statistics = await fixture.Grains.GetGrain<ITriggerQueryGrain>(0).StatisticsAsync([scenario.OrganizationId], scenario.BotId);
        Assert.Equal(1, Assert.Single(statistics).Matched);
    }

    [Fact]
    public async Task AFlowOfAnotherBotIsRefused()
    {
        var mine = await ScenarioAsync(fixture.Grains);
        var other = await ScenarioAsync(fixture.Grains);
        var result = await fixture.Grains.GetGrain<ITriggerSetGrain>(mine.BotId).CreateAsync(mine.OrganizationId, mine.UserId, Keyword(other.FlowId, "hi"));
        Assert.Equal(CommandStatus.Invalid, result.Status);
        Assert.Equal("flow_id", result.Field);
        await using var db = await fixture.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM triggers WHERE bot_id = @b", db);
        count.Parameters.AddWithValue("b", mine.BotId);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }
}
