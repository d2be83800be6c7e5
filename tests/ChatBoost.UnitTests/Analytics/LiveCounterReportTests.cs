using ChatBoost.Grains.Analytics;

namespace ChatBoost.UnitTests.Analytics;

public class LiveCounterReportTests
{
    private static readonly DateTimeOffset H0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Totals_sum_the_hours_and_messages_are_split_by_type()
    {
        var report = LiveCounterReport.Build(7, H0, H0.AddHours(3),
        [
            new LiveCounterRow(H0, LiveCounterNames.MessagesReceived, "text", 3),
            new LiveCounterRow(H0, LiveCounterNames.MessagesReceived, "image", 1),
            new LiveCounterRow(H0.AddHours(2), LiveCounterNames.MessagesReceived, "text", 2),
            new LiveCounterRow(H0.AddHours(2), LiveCounterNames.StatusesRead, "", 5),
            new LiveCounterRow(H0, LiveCounterNames.ExecutionsFailed, "", 1),
        ]);

        Assert.Equal(6, report.Totals.MessagesReceived);
        Assert.Equal(new Dictionary<string, long> { ["text"] = 5, ["image"] = 1 }, report.Totals.MessagesReceivedByType);
        Assert.Equal((5L, 1L, 0L), (report.Totals.StatusesRead, report.Totals.ExecutionsFailed, report.Totals.MessagesSent));
        Assert.Equal([H0, H0.AddHours(2)], report.Hours.Select(h => h.Hour));
        Assert.Equal((4L, 2L), (report.Hours[0].Values.MessagesReceived, report.Hours[1].Values.MessagesReceived));
        Assert.Empty(report.Hours[1].Values.MessagesSentByType);
    }
}
