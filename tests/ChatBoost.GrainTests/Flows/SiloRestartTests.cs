using ChatBoost.Grains.Interfaces.Flows;

namespace ChatBoost.GrainTests.Flows;

/// <summary>A silo of its own, restarted in the middle of a one-minute wait.</summary>
public sealed class SiloRestartFixture : IAsyncLifetime
{
    public ChatBoostClusterFixture Cluster { get; } = ChatBoostClusterFixture.Separate("chatboost_restart");

    public Task InitializeAsync() => Cluster.InitializeAsync();

    public Task DisposeAsync() => Cluster.DisposeAsync();
}

public class SiloRestartTests(SiloRestartFixture restart) : IClassFixture<SiloRestartFixture>
{
    [Fact]
    public async Task AOneMinuteWaitSurvivesASiloRestartAndResumesOnce()
    {
        var fixture = restart.Cluster;
        var scenario = await FlowScenario.CreateAsync(fixture.Grains,
            new TemplateNode(1, "wait", null, """{"duration": 1, "unit": "minutes", "next": 2}"""),
            new TemplateNode(2, "set_attribute", null, """{"attribute_key": "resumed_at", "attribute_value": "{{now}}"}"""));
        var phone = FlowScenario.NewPhone();
        var started = await scenario.StartAsync(fixture.Grains, phone);
        Assert.Equal(ExecutionStatuses.Waiting, started.Status);

        // The silo goes away with the grain's activation and timer; only the rows and the reminder remain.
        var silo = fixture.Cluster.Silos[0];
        await fixture.Cluster.RestartSiloAsync(silo);

        // No call reaches the grain: the reminder alone brings it back, after the minute.
        await using var connection = await fixture.OpenAsync();
        Assert.True(await FlowScenario.EventuallyAsync(
            async () => (await FlowScenario.RowAsync(connection, started.Id)).Status == ExecutionStatuses.Completed, TimeSpan.FromSeconds(150)));
        var events = await FlowScenario.EventsAsync(connection, started.Id);
        Assert.Equal(1, events.Count(e => e == "attribute_set"));
        Assert.Equal(1, events.Count(e => e == "completed"));
        // The reminder goes right after the step that ended the execution is committed.
        Assert.True(await FlowScenario.EventuallyAsync(async () => await FlowScenario.RemindersAsync(connection, phone) == 0, TimeSpan.FromSeconds(10)));
    }
}
