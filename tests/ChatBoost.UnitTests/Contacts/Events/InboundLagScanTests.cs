using ChatBoost.Grains.Contacts.Events;

namespace ChatBoost.UnitTests.Contacts.Events;

public class InboundLagScanTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private static ScannedInboundMessage Message(long id, string wa, int secondsAgo, long? cursor) =>
        new(id, 1, wa, Now.AddSeconds(-secondsAgo), cursor);

    [Fact]
    public void Finds_each_lagging_contact_once_oldest_first_including_one_without_a_contact_row()
    {
        var findings = InboundLagScan.Evaluate(
            [Message(3, "b", 60, cursor: 1), Message(4, "a", 50, cursor: null), Message(5, "b", 40, cursor: 1), Message(6, "c", 40, cursor: 6)],
            watermark: 2, Now, Grace, Settle, limit: 10);

        Assert.Equal(["b", "a"], findings.Lagging.Select(f => f.ContactWaId));
        Assert.Equal(Now.AddSeconds(-60), findings.Lagging[0].Since);
        Assert.All(findings.Lagging, f => Assert.Equal(InboundLagScan.Reason, f.Reason));
        Assert.Equal(2, findings.Watermark);
    }

    [Fact]
    public void A_lag_younger_than_the_grace_is_the_normal_path_not_a_finding()
    {
        var findings = InboundLagScan.Evaluate([Message(7, "a", 5, cursor: 0)], 6, Now, Grace, Settle, 10);
        Assert.Empty(findings.Lagging);
        Assert.Equal(6, findings.Watermark);
    }

    [Fact]
    public void The_watermark_moves_over_the_consumed_settled_prefix_and_stops_at_the_first_other()
    {
        var consumedOld = InboundLagScan.Evaluate([Message(1, "a", 90, 1), Message(2, "b", 80, 9), Message(3, "a", 20, 3), Message(4, "a", 90, 4)], 0, Now, Grace, Settle, 10);
        Assert.Equal(2, consumedOld.Watermark);

        var lagging = InboundLagScan.Evaluate([Message(1, "a", 90, 1), Message(2, "b", 80, 1), Message(3, "a", 90, 3)], 0, Now, Grace, Settle, 10);
        Assert.Equal(1, lagging.Watermark);
        Assert.Equal(["b"], lagging.Lagging.Select(f => f.ContactWaId));
    }

    [Fact]
    public void Findings_are_bounded()
    {
        var scanned = Enumerable.Range(1, 50).Select(i => Message(i, $"c{i}", 100, cursor: 0)).ToList();
        var findings = InboundLagScan.Evaluate(scanned, 0, Now, Grace, Settle, limit: 7);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"c{i}"), findings.Lagging.Select(f => f.ContactWaId));
    }
}
