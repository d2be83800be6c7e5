using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Schedules;
using ChatBoost.GrainTests.Flows;
using Npgsql;

namespace ChatBoost.GrainTests.Triggers;

/// <summary>
/// Schedule triggers on the real silo with the fixture's test clock: the test moves the clock past an occurrence and
/// delivers the reminder's tick (<see cref="ITriggerScheduleGrain.CheckAsync"/>, what <c>ReceiveReminder</c> runs), then
/// counts the <c>trigger_runs</c> rows. The bot has no contacts, so each run completes at once.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class ScheduleTriggerGrainTests(ChatBoostClusterFixture fixture) : IDisposable
{
    private static readonly TimeSpan JustAfter = TimeSpan.FromSeconds(5);

    public void Dispose() => fixture.Clock.Reset();

    private static Task<FlowScenario> ScenarioAsync(IGrainFactory grains) => FlowScenario.CreateAsync(grains,
        new TemplateNode(1, "set_attribute", null, """{"attribute_key": "reminded", "attribute_value": "true", "value_type": "boolean"}"""));

    private static TriggerDefinition Schedule(long flowId, string type, string? time, string? cron, string zone) => new(
        "Schedule " + type, null, flowId, "schedule", true, 0, null, null, false, false, null, null, type, time, zone, null, null, cron, null);

    private async Task<(FlowScenario Scenario, long TriggerId, ITriggerScheduleGrain Clock)> TriggerAsync(string type, string? time, string? cron, string zone)
    {
        var scenario = await ScenarioAsync(fixture.Grains);
        var created = await fixture.Grains.GetGrain<ITriggerSetGrain>(scenario.BotId)
            .CreateAsync(scenario.OrganizationId, scenario.UserId, Schedule(scenario.FlowId, type, time, cron, zone));
        Assert.True(created.IsOk, created.Detail);
        return (scenario, created.Value!.Id, fixture.Grains.GetGrain<ITriggerScheduleGrain>(created.Value.Id));
    }

    private static TriggerSchedule Compiled(string type, string? time, string? cron, string zone) =>
        TriggerSchedule.TryCreate(new ScheduleSpec(type, time, zone, null, null, cron), out _)!;

    /// <summary>Moves the test clock to <paramref name="instant"/> (never backwards).</summary>
    private void MoveTo(DateTimeOffset instant)
    {
        var by = instant - fixture.Clock.GetUtcNow();
        Assert.True(by > TimeSpan.Zero, $"the clock is already past {instant:O}");
        fixture.Clock.Advance(by);
    }

    [Fact]
    public async Task ADailyTriggerFiresOncePerDay_AtNineInBerlin()
    {
        var (_, triggerId, clock) = await TriggerAsync(ScheduleTypes.Daily, "09:00", null, "Europe/Berlin");
        var first = (await clock.GetAsync())!.NextDue!.Value;
        var schedule = Compiled(ScheduleTypes.Daily, "09:00", null, "Europe/Berlin");
        Assert.Equal(TimeSpan.FromHours(9), TimeZoneInfo.ConvertTime(first, schedule.Zone).TimeOfDay); // 08:00 UTC in winter, 07:00 in summer
        var (second, third) = (schedule.NextAfter(first)!.Value, schedule.NextAfter(schedule.NextAfter(first)!.Value)!.Value);

        MoveTo(first - TimeSpan.FromMinutes(1));
        await clock.CheckAsync(); // a tick a minute early: nothing is due yet
        Assert.Empty(await RunsAsync(triggerId));

        MoveTo(first + JustAfter);
        var view = await clock.CheckAsync();
        await clock.CheckAsync(); // the same tick delivered twice
        Assert.Equal([(first, "schedule")], await RunsAsync(triggerId));
        Assert.Equal(second, view.NextDue);

        MoveTo(first + TimeSpan.FromHours(13));
        await clock.CheckAsync();
        Assert.Single(await RunsAsync(triggerId));

        MoveTo(second + JustAfter);
        await clock.CheckAsync();
        MoveTo(third + JustAfter);
        await clock.CheckAsync();
        Assert.Equal([(first, "schedule"), (second, "schedule"), (third, "schedule")], await RunsAsync(triggerId));
        Assert.Equal(0, (await clock.GetAsync())!.Missed);
    }

    [Fact]
    public async Task ACronTriggerFiresOnItsMinutes()
    {
        var (_, triggerId, clock) = await TriggerAsync(ScheduleTypes.Cron, null, "*/20 * * * *", "UTC");
        var first = (await clock.GetAsync())!.NextDue!.Value;
        Assert.Equal(0, first.Minute % 20);

        for (var i = 0; i < 3; i++)
        {
            var due = first.AddMinutes(20 * i);
            if (due - TimeSpan.FromMinutes(7) > fixture.Clock.GetUtcNow())
            {
                MoveTo(due - TimeSpan.FromMinutes(7));
            }

            await clock.CheckAsync(); // between two of its minutes: nothing
            Assert.Equal(i, (await RunsAsync(triggerId)).Count);
            MoveTo(due + JustAfter);
            await clock.CheckAsync();
        }

        var runs = await RunsAsync(triggerId);
        Assert.Equal([first, first.AddMinutes(20), first.AddMinutes(40)], runs.Select(r => r.Occurrence));
        Assert.All(runs, r => Assert.Equal((0, 0), (r.Occurrence.Minute % 20, r.Occurrence.Second)));
    }

    [Fact]
    public async Task ATriggerDeactivatedInBetweenDoesNotFire_EvenWhenAStaleTickArrives()
    {
        var (scenario, triggerId, clock) = await TriggerAsync(ScheduleTypes.Daily, "07:30", null, "America/New_York");
        var first = (await clock.GetAsync())!.NextDue!.Value;
        var second = Compiled(ScheduleTypes.Daily, "07:30", null, "America/New_York").NextAfter(first)!.Value;
        var set = fixture.Grains.GetGrain<ITriggerSetGrain>(scenario.BotId);
        Assert.True((await set.SetActiveAsync(triggerId, false)).IsOk);
        var stopped = (await clock.GetAsync())!;
        Assert.False(stopped.Active);
        Assert.Null(stopped.NextDue);

        MoveTo(first + JustAfter);
        await clock.CheckAsync(); // a late tick of the reminder removed on deactivation
        Assert.Empty(await RunsAsync(triggerId));

        // Active again: it fires at its next occurrence only (the one missed while inactive is not caught up).
        Assert.True((await set.SetActiveAsync(triggerId, true)).IsOk);
        Assert.Equal(second, (await clock.GetAsync())!.NextDue);
        await clock.CheckAsync();
        Assert.Empty(await RunsAsync(triggerId));

        // The clock was not told (the sync was lost): the row says inactive, the tick asks the trigger set and fires nothing.
        await using (var db = await fixture.OpenAsync())
        {
            await using var update = new NpgsqlCommand("UPDATE triggers SET is_active = false WHERE id = @id", db);
            update.Parameters.AddWithValue("id", triggerId);
            await update.ExecuteNonQueryAsync();
        }

        await fixture.DeactivateAsync(set);
        MoveTo(second + JustAfter);
        var view = await clock.CheckAsync();
        Assert.Empty(await RunsAsync(triggerId));
        Assert.False(view.Active);
    }

    [Fact]
    public async Task AfterAnOutageOnlyTheLatestOccurrenceWithinTheGraceRuns_Once_AndOlderOnesAreCounted()
    {
        var (_, triggerId, clock) = await TriggerAsync(ScheduleTypes.Daily, "06:00", null, "UTC");
        var first = (await clock.GetAsync())!.NextDue!.Value;

        // Down for three occurrences; back 10 minutes after the third (within the 60-minute grace).
        MoveTo(first.AddDays(2) + TimeSpan.FromMinutes(10));
        var view = await clock.CheckAsync();
        await clock.CheckAsync();
        Assert.Equal([(first.AddDays(2), "catch_up")], await RunsAsync(triggerId));
        Assert.Equal(2, view.Missed);

        // Down again; back 3 hours after the next one: past the grace, nothing runs, it is counted.
        MoveTo(first.AddDays(3) + TimeSpan.FromHours(3));
        view = await clock.CheckAsync();
        Assert.Single(await RunsAsync(triggerId));
        Assert.Equal(3, view.Missed);
        Assert.Equal(first.AddDays(4), view.NextDue);

        MoveTo(first.AddDays(4) + JustAfter);
        await clock.CheckAsync();
        Assert.Equal([(first.AddDays(2), "catch_up"), (first.AddDays(4), "schedule")], await RunsAsync(triggerId));
    }

    private async Task<List<(DateTimeOffset Occurrence, string Source)>> RunsAsync(long triggerId)
    {
        await using var db = await fixture.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT occurrence, source FROM trigger_runs WHERE trigger_id = @t ORDER BY id", db);
        query.Parameters.AddWithValue("t", triggerId);
        var runs = new List<(DateTimeOffset, string)>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            runs.Add((new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)), reader.GetString(1)));
        }

        return runs;
    }
}
