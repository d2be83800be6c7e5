using System.Text.Json;
using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.UnitTests.Contacts;

public class WakePlanTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T10:00:00Z");

    private static ExecutionSnapshot Snapshot(ExecutionStatus status, DateTimeOffset? wakeAt = null) =>
        new(status, 1, new Dictionary<string, JsonElement>(), Now, Now, 0, 0, wakeAt,
            status == ExecutionStatus.Running ? PendingEffectKind.Send : null, null, status is ExecutionStatus.Completed or ExecutionStatus.Failed or ExecutionStatus.Cancelled ? Now : null);

    [Fact]
    public void ARunningExecutionIsWokenByItsRow_NotByAReminder()
    {
        // The sweeper finds a running execution without an update: no reminder is written for a step in flight.
        Assert.Equal(new WakeChange.Keep(), WakePlan.Plan(Snapshot(ExecutionStatus.Running), registeredDue: null, Now));
        Assert.Equal(new WakeChange.Keep(), WakePlan.Plan(Snapshot(ExecutionStatus.WaitingForReply), registeredDue: null, Now));
    }

    [Fact]
    public void AWaitMovesTheReminderToItsEndBeforeTheCommit()
    {
        var wakeAt = Now.AddHours(3);
        Assert.Equal(new WakeChange.RegisterBefore(wakeAt), WakePlan.Plan(Snapshot(ExecutionStatus.Waiting, wakeAt), Now.AddMinutes(1), Now));
        Assert.Equal(new WakeChange.RegisterBefore(wakeAt), WakePlan.Plan(Snapshot(ExecutionStatus.WaitingForReply, wakeAt), null, Now));
        Assert.Equal(new WakeChange.Keep(), WakePlan.Plan(Snapshot(ExecutionStatus.WaitingForReply, wakeAt), wakeAt, Now));
    }

    [Fact]
    public void RunningAfterAWaitKeepsItsReminderUntilTheEnd()
    {
        Assert.Equal(new WakeChange.Keep(), WakePlan.Plan(Snapshot(ExecutionStatus.Running), Now.AddDays(1), Now));
    }

    [Theory]
    [InlineData(ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Failed)]
    [InlineData(ExecutionStatus.Cancelled)]
    public void AnEndedExecutionRemovesItsReminderAfterTheCommit_AndWritesNothingWhenItHadNone(ExecutionStatus ended)
    {
        Assert.Equal(new WakeChange.RemoveAfter(), WakePlan.Plan(Snapshot(ended), Now, Now));
        Assert.Equal(new WakeChange.Keep(), WakePlan.Plan(Snapshot(ended), null, Now));
    }
}
