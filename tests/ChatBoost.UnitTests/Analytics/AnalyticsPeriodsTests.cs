using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.UnitTests.Analytics;

public class AnalyticsPeriodsTests
{
    private static readonly TimeZoneInfo Utc = AnalyticsPeriods.FindZone("UTC")!;
    private static readonly TimeZoneInfo NewYork = AnalyticsPeriods.FindZone("America/New_York")!;

    [Fact]
    public void Seven_days_is_today_and_the_six_days_before_and_the_previous_period_is_as_long()
    {
        var now = new DateTimeOffset(2026, 12, 2, 15, 30, 0, TimeSpan.Zero);
        var period = AnalyticsPeriods.Resolve(AnalyticsPeriodNames.Last7Days, now, Utc, "UTC");

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), period.Current.Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero), period.Current.End);
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 0, 0, 0, TimeSpan.Zero), period.Previous.Start);
        Assert.Equal(period.Current.Start, period.Previous.End);
        Assert.Equal(7, AnalyticsPeriods.Buckets(period.Current, Utc).Count);
        Assert.True(period.Current.ReadsDailyRollup);
    }

    [Fact]
    public void Twenty_four_hours_ends_with_the_current_hour()
    {
        var now = new DateTimeOffset(2026, 12, 2, 15, 30, 0, TimeSpan.Zero);
        var period = AnalyticsPeriods.Resolve(AnalyticsPeriodNames.Last24Hours, now, Utc, "UTC");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 16, 0, 0, TimeSpan.Zero), period.Current.Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 16, 0, 0, TimeSpan.Zero), period.Current.End);
        Assert.Equal(24, AnalyticsPeriods.Buckets(period.Current, Utc).Count);
    }

    [Fact]
    public void Today_in_a_zone_starts_at_its_local_midnight()
    {
        // 03:00 UTC on 2 December is still 1 December in New York (UTC-5).
        var now = new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);
        var period = AnalyticsPeriods.Resolve(AnalyticsPeriodNames.Today, now, NewYork, "America/New_York");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), period.Current.Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero), period.Current.End);
        Assert.False(period.Current.ReadsDailyRollup);
    }

    [Fact]
    public void A_spring_forward_day_has_23_hours_and_a_fall_back_day_25()
    {
        var march = AnalyticsPeriods.Covering(
            new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero),
            StatsGranularity.Daily, NewYork, "America/New_York");
        var (start, end) = Assert.Single(AnalyticsPeriods.Buckets(march, NewYork));
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(TimeSpan.FromHours(23), end - start);

        var november = AnalyticsPeriods.Covering(
            new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero),
            StatsGranularity.Daily, NewYork, "America/New_York");
        var days = AnalyticsPeriods.Buckets(november, NewYork);
        Assert.Equal([TimeSpan.FromHours(25), TimeSpan.FromHours(24)], days.Select(d => d.End - d.Start));
        Assert.True(AnalyticsPeriods.IsHourAligned(november, NewYork));
    }

    [Fact]
    public void A_message_on_a_DST_day_lands_in_the_local_day_and_the_day_sums_its_23_hours()
    {
        var day = AnalyticsPeriods.Covering(
            new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 9, 12, 0, 0, TimeSpan.Zero),
            StatsGranularity.Daily, NewYork, "America/New_York");
        // 04:30 UTC on 9 March is 00:30 EDT on 9 March; 03:59 UTC is 23:59 EDT on 8 March.
        var messages = new[]
        {
            StatsDefinitionsTests.In("a", new DateTimeOffset(2026, 3, 9, 3, 59, 0, TimeSpan.Zero)),
            StatsDefinitionsTests.In("a", new DateTimeOffset(2026, 3, 9, 4, 30, 0, TimeSpan.Zero)),
            StatsDefinitionsTests.In("b", new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero)),
        };
        var fold = StatsDefinitions.Fold(messages, [], [], day.Start, day.End);
        var rows = fold.Hours.Select(h => new RollupRow(h.Hour, h.Values, day.End));
        var slice = SliceAssembler.Assemble(1, day, NewYork, rows, SliceAssembler.Count(fold.Activity, day, NewYork));

        Assert.Equal([2L, 1L], slice.Buckets.Select(b => b.Values.MessagesInbound));
        Assert.Equal([2L, 1L], slice.Buckets.Select(b => b.ActiveContacts));
        Assert.Equal(2, slice.ActiveContacts);
    }

    [Fact]
    public void A_zone_with_a_half_hour_offset_cannot_be_summed_from_hours_and_unknown_zones_are_null()
    {
        var kolkata = AnalyticsPeriods.FindZone("Asia/Kolkata")!;
        var range = AnalyticsPeriods.Resolve(AnalyticsPeriodNames.Last7Days, DateTimeOffset.UnixEpoch.AddYears(56), kolkata, "Asia/Kolkata").Current;

        Assert.False(AnalyticsPeriods.IsHourAligned(range, kolkata));
        Assert.Null(AnalyticsPeriods.FindZone("Mars/Olympus_Mons"));
        Assert.Null(AnalyticsPeriods.FindZone(""));
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Pacific/Kiritimati")] // UTC+14: its 90 days start 14 hours before the UTC daily horizon
    [InlineData("Pacific/Pago_Pago")] // UTC-11
    public void The_funnel_answers_ninety_days_in_any_whole_hour_zone_and_refuses_a_half_hour_one_or_a_shorter_retention(string id)
    {
        var now = new DateTimeOffset(2026, 12, 2, 23, 30, 0, TimeSpan.Zero);
        var zone = AnalyticsPeriods.FindZone(id)!;
        var ninetyDays = AnalyticsPeriods.Resolve(AnalyticsPeriodNames.Last90Days, now, zone, id).Current;
        var stJohns = AnalyticsPeriods.FindZone("America/St_Johns")!; // UTC-3:30
        var halfHour = AnalyticsPeriods.Resolve(AnalyticsPeriodNames.Today, now, stJohns, "America/St_Johns").Current;

        Assert.Null(AnalyticsRangeRules.CheckFunnel(ninetyDays, zone, now, new AnalyticsOptions()));
        Assert.Equal("tz", AnalyticsRangeRules.CheckFunnel(halfHour, stJohns, now, new AnalyticsOptions())?.Field);
        Assert.Equal("period", AnalyticsRangeRules.CheckFunnel(ninetyDays, zone, now, new AnalyticsOptions { DailyRetentionDays = 30 })?.Field);
    }
}
