using ChatBoost.Grains.Triggers.Events;

namespace ChatBoost.UnitTests.Triggers;

/// <summary>The per-contact bound on flow_completed/flow_failed trigger chains.</summary>
public class TriggerChainTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 29, 12, 0, 0, TimeSpan.Zero);

    private static readonly TriggerChain Chain = new(3, TimeSpan.FromMinutes(60));

    [Fact]
    public void ALoopGetsExactlyTheBoundThenIsRefused()
    {
        var starts = new List<DateTimeOffset>();
        var refusedAt = -1;
        for (var i = 0; i < 10; i++)
        {
            var decision = Chain.Decide(starts, Now.AddSeconds(i));
            if (!decision.Allowed)
            {
                refusedAt = i;
                break;
            }

            starts.Add(Now.AddSeconds(i));
        }

        Assert.Equal(3, refusedAt);
        Assert.Equal(3, starts.Count);
    }

    [Fact]
    public void StartsOutsideTheWindowDoNotCount_AndTheRefusalSaysWhenOneMoreIsAllowed()
    {
        DateTimeOffset[] starts = [Now.AddMinutes(-61), Now.AddMinutes(-30), Now.AddMinutes(-20), Now.AddMinutes(-10)];
        var refused = Chain.Decide(starts, Now);
        Assert.False(refused.Allowed);
        Assert.Equal(3, refused.StartsInWindow);
        Assert.Equal(Now.AddMinutes(30), refused.AllowedAgainAt); // when the oldest counted start leaves the window
        Assert.True(Chain.Decide(starts, Now.AddMinutes(30).AddSeconds(1)).Allowed);
        Assert.Contains("at most 3", Chain.Refusal(refused), StringComparison.Ordinal);

        var allowed = Chain.Decide([Now.AddMinutes(-60)], Now); // exactly a window ago: out
        Assert.True(allowed.Allowed);
        Assert.Equal(0, allowed.StartsInWindow);
    }

    [Fact]
    public void OnlyFlowEndTriggersFormChains()
    {
        Assert.True(EventTriggerTypes.IsChain(EventTriggerTypes.FlowCompleted));
        Assert.True(EventTriggerTypes.IsChain(EventTriggerTypes.FlowFailed));
        Assert.False(EventTriggerTypes.IsChain(EventTriggerTypes.NewContact));
        Assert.False(EventTriggerTypes.IsChain(EventTriggerTypes.MessageReceived));
    }
}
