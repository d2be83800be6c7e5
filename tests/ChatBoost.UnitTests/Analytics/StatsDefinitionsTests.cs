using ChatBoost.Grains.Analytics;

namespace ChatBoost.UnitTests.Analytics;

public class StatsDefinitionsTests
{
    private static readonly DateTimeOffset Day = new(2026, 3, 7, 0, 0, 0, TimeSpan.Zero);
    private static long _id;

    internal static MessageFact In(string contact, DateTimeOffset at, string type = "text", long bot = 1) =>
        new(++_id, bot, 10, contact, true, type, "received", at, null, Day.AddDays(-30));

    internal static MessageFact Out(string contact, DateTimeOffset at, string status = "sent", string type = "text", long bot = 1, DateTimeOffset? sentAt = null) =>
        new(++_id, bot, 10, contact, false, type, status, at, sentAt, Day.AddDays(-30));

    [Fact]
    public void A_message_at_the_last_millisecond_of_a_day_is_in_that_day_and_one_at_midnight_in_the_next()
    {
        var lastMillisecond = Day.AddDays(1).AddMilliseconds(-1);
        var midnight = Day.AddDays(1);
        var fold = StatsDefinitions.Fold([In("a", lastMillisecond), In("a", midnight)], [], [], Day, Day.AddDays(1));

        var hour = Assert.Single(fold.Hours);
        Assert.Equal(Day.AddHours(23), hour.Hour);
        Assert.Equal(1, hour.Values.MessagesInbound);

        var next = StatsDefinitions.Fold([In("a", lastMillisecond), In("a", midnight)], [], [], Day.AddDays(1), Day.AddDays(2));
        Assert.Equal(Day.AddDays(1), Assert.Single(next.Hours).Hour);
    }

    [Fact]
    public void Messages_count_by_direction_and_type()
    {
        var at = Day.AddHours(9);
        var fold = StatsDefinitions.Fold(
            [In("a", at), In("a", at.AddMinutes(1), "image"), Out("a", at.AddMinutes(2), type: "template"), Out("b", at.AddMinutes(3))],
            [], [], Day, Day.AddDays(1));

        var values = Assert.Single(fold.Hours).Values;
        Assert.Equal((2L, 2L, 4L), (values.MessagesInbound, values.MessagesOutbound, values.MessagesTotal));
        Assert.Equal(new Dictionary<string, long> { ["text"] = 1, ["image"] = 1 }, values.InboundByType);
        Assert.Equal(new Dictionary<string, long> { ["template"] = 1, ["text"] = 1 }, values.OutboundByType);
    }

    [Theory]
    [InlineData("queued", false, false, false, false, false, false)]
    [InlineData("sending", false, false, false, false, false, false)]
    [InlineData("in_doubt", false, false, false, false, false, true)]
    [InlineData("sent", false, true, false, false, false, false)]
    [InlineData("delivered", false, true, true, false, false, false)]
    [InlineData("read", false, true, true, true, false, false)]
    [InlineData("failed", false, false, false, false, true, false)]
    [InlineData("failed", true, true, false, false, true, false)]
    public void Delivery_figures_follow_the_outbound_message_status(
        string status, bool hasSentAt, bool sent, bool delivered, bool read, bool failed, bool inDoubt)
    {
        var at = Day.AddHours(5);
        var values = Assert.Single(StatsDefinitions.Fold([Out("a", at, status, sentAt: hasSentAt ? at : null)], [], [], Day, Day.AddDays(1)).Hours).Values;

        Assert.Equal((sent, delivered, read, failed, inDoubt), (values.Sent == 1, values.Delivered == 1, values.Read == 1, values.Failed == 1, values.InDoubt == 1));
        Assert.Equal(1, values.MessagesOutbound);
    }

    [Fact]
    public void A_response_runs_from_the_message_that_opened_the_turn_to_the_first_reply()
    {
        var at = Day.AddHours(10);
        var fold = StatsDefinitions.Fold(
            [In("a", at), In("a", at.AddSeconds(30)), Out("a", at.AddSeconds(40)), Out("a", at.AddSeconds(50)), In("a", at.AddMinutes(5)), Out("a", at.AddMinutes(5).AddSeconds(2))],
            [], [], Day, Day.AddDays(1));

        var values = Assert.Single(fold.Hours).Values;
        Assert.Equal(2, values.Responses);
        Assert.Equal(42_000, values.ResponseMillis);
        Assert.Equal(21.0, AnalyticsReportBuilder.AverageSeconds(values.ResponseMillis, values.Responses));
    }

    [Fact]
    public void A_reply_counts_in_its_own_hour_even_when_the_question_came_the_day_before_but_not_after_the_window()
    {
        var question = Day.AddHours(23).AddMinutes(59);
        var reply = Day.AddDays(1).AddMinutes(1);
        var messages = new[] { In("a", question), Out("a", reply), In("b", Day.AddHours(1)), Out("b", Day.AddDays(1).AddHours(1).AddSeconds(1)) };

        var nextDay = StatsDefinitions.Fold(messages, [], [], Day.AddDays(1), Day.AddDays(2));
        Assert.Equal(1, nextDay.Hours.Single(h => h.Hour == Day.AddDays(1)).Values.Responses);
        Assert.Equal(120_000, nextDay.Hours.Single(h => h.Hour == Day.AddDays(1)).Values.ResponseMillis);
        Assert.Equal(0, nextDay.Hours.Single(h => h.Hour == Day.AddDays(1).AddHours(1)).Values.Responses);
        Assert.Equal(0, StatsDefinitions.Fold(messages, [], [], Day, Day.AddDays(1)).Hours.Sum(h => h.Values.Responses));
    }

    [Fact]
    public void Active_contacts_are_distinct_per_hour_and_new_contacts_count_at_creation()
    {
        var at = Day.AddHours(8);
        var fold = StatsDefinitions.Fold(
            [In("a", at), Out("a", at.AddMinutes(1)), In("b", at.AddMinutes(2)), In("a", at.AddHours(1))],
            [new ContactFact(1, 10, "a", at), new ContactFact(1, 10, "b", Day.AddDays(-1))], [], Day, Day.AddDays(1));

        Assert.Equal([2L, 1L], fold.Hours.Select(h => h.ActiveContacts));
        Assert.Equal([1L, 0L], fold.Hours.Select(h => h.Values.NewContacts));
        Assert.Equal(3, fold.Activity.Count);
    }

    [Fact]
    public void Executions_count_at_their_start_with_their_status_now()
    {
        var at = Day.AddHours(3);
        var fold = StatsDefinitions.Fold([], [],
        [
            new ExecutionFact(1, 10, at, "completed", "inbound"),
            new ExecutionFact(1, 10, at, "failed", "api"),
            new ExecutionFact(1, 10, at, "waiting_for_reply", "inbound"),
            new ExecutionFact(1, 10, Day.AddDays(-1), "completed", "api"),
        ], Day, Day.AddDays(1));

        var values = Assert.Single(fold.Hours).Values;
        Assert.Equal((3L, 1L, 1L, 2L), (values.FlowsStarted, values.FlowsCompleted, values.FlowsFailed, values.FlowsTriggered));
    }

    [Fact]
    public void Without_sends_or_starts_the_rates_are_null_not_zero_or_NaN()
    {
        var values = Assert.Single(StatsDefinitions.Fold([In("a", Day.AddHours(1))], [], [], Day, Day.AddDays(1)).Hours).Values;
        var summary = AnalyticsReportBuilder.Summary(Day, Day.AddDays(1), values, 1);

        Assert.Null(summary.DeliveryRate);
        Assert.Null(summary.ReadRate);
        Assert.Null(summary.FlowCompletionRate);
        Assert.Null(summary.AverageResponseTime);
        Assert.Null(AnalyticsReportBuilder.Growth(5, 0));
        Assert.Null(AnalyticsReportBuilder.Change(null, 50));
        Assert.Equal(50.0, AnalyticsReportBuilder.Rate(1, 2));
        Assert.Equal(-50.0, AnalyticsReportBuilder.Growth(1, 2));
        Assert.Equal(33.33, AnalyticsReportBuilder.Rate(1, 3));
    }
}
