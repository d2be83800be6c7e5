using ChatBoost.Grains.Triggers.Schedules;

namespace ChatBoost.UnitTests.Triggers;

public class TriggerScheduleTests
{
    private static TriggerSchedule Create(string type, string? time = null, string zone = "UTC", int? dow = null, int? dom = null, string? cron = null)
    {
        var schedule = TriggerSchedule.TryCreate(new ScheduleSpec(type, time, zone, dow, dom, cron), out var problems);
        Assert.Empty(problems);
        return schedule!;
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    // Europe/Berlin 2026: summer time from 29 March 02:00 (+01 → +02), winter time from 25 October 03:00 (+02 → +01).
    [InlineData("Europe/Berlin", "09:00", "2026-03-27T12:00", "2026-03-28T08:00")]
    [InlineData("Europe/Berlin", "09:00", "2026-03-28T12:00", "2026-03-29T07:00")]
    [InlineData("Europe/Berlin", "09:00", "2026-10-24T12:00", "2026-10-25T08:00")]
    [InlineData("Europe/Berlin", "09:00", "2026-10-23T12:00", "2026-10-24T07:00")]
    // America/New_York 2026: daylight time from 8 March 02:00 (-05 → -04), standard from 1 November 02:00 (-04 → -05).
    [InlineData("America/New_York", "09:00", "2026-03-07T00:00", "2026-03-07T14:00")]
    [InlineData("America/New_York", "09:00", "2026-03-07T15:00", "2026-03-08T13:00")]
    [InlineData("America/New_York", "09:00", "2026-10-31T15:00", "2026-11-01T14:00")]
    [InlineData("UTC", "09:00", "2026-06-01T09:00", "2026-06-02T09:00")] // strictly after
    public void DailyFollowsTheZonesOffset(string zone, string time, string after, string expected) =>
        Assert.Equal(Utc(expected), Create(ScheduleTypes.Daily, time, zone).NextAfter(Utc(after)));

    [Fact]
    public void ATimeSkippedByTheSpringChangeFiresOnceWhenTheClocksJump()
    {
        var berlin = Create(ScheduleTypes.Daily, "02:30", "Europe/Berlin");
        Assert.Equal(Utc("2026-03-29T01:00"), berlin.NextAfter(Utc("2026-03-28T12:00"))); // 03:00 CEST
        Assert.Equal(Utc("2026-03-30T00:30"), berlin.NextAfter(Utc("2026-03-29T01:00")));

        var newYork = Create(ScheduleTypes.Daily, "02:30", "America/New_York");
        Assert.Equal(Utc("2026-03-08T07:00"), newYork.NextAfter(Utc("2026-03-07T12:00"))); // 03:00 EDT
    }

    [Fact]
    public void ATimeRepeatedByTheAutumnChangeFiresOnceAtItsFirstInstant()
    {
        var berlin = Create(ScheduleTypes.Daily, "02:30", "Europe/Berlin");
        Assert.Equal(Utc("2026-10-25T00:30"), berlin.NextAfter(Utc("2026-10-24T12:00"))); // 02:30 CEST
        Assert.Equal(Utc("2026-10-26T01:30"), berlin.NextAfter(Utc("2026-10-25T00:30"))); // not 02:30 CET the same night

        var newYork = Create(ScheduleTypes.Daily, "01:30", "America/New_York");
        Assert.Equal(Utc("2026-11-01T05:30"), newYork.NextAfter(Utc("2026-10-31T12:00"))); // 01:30 EDT
        Assert.Equal(Utc("2026-11-02T06:30"), newYork.NextAfter(Utc("2026-11-01T05:30")));
    }

    [Theory]
    [InlineData("Europe/Berlin", 6, "2026-03-23T00:00", "2026-03-29T07:00")] // Sunday = 6, the day of the change
    [InlineData("Europe/Berlin", 6, "2026-03-16T00:00", "2026-03-22T08:00")]
    [InlineData("Europe/Berlin", 6, "2026-10-19T00:00", "2026-10-25T08:00")]
    [InlineData("America/New_York", 0, "2026-03-03T00:00", "2026-03-09T13:00")] // Monday = 0
    [InlineData("America/New_York", 0, "2026-10-27T00:00", "2026-11-02T14:00")]
    public void WeeklyCountsFromMonday(string zone, int dayOfWeek, string after, string expected) =>
        Assert.Equal(Utc(expected), Create(ScheduleTypes.Weekly, "09:00", zone, dow: dayOfWeek).NextAfter(Utc(after)));

    [Theory]
    [InlineData(31, "2026-01-31T10:00", "2026-02-28T09:00")]
    [InlineData(31, "2026-03-31T10:00", "2026-04-30T09:00")]
    [InlineData(31, "2026-04-30T10:00", "2026-05-31T09:00")]
    [InlineData(30, "2026-01-30T10:00", "2026-02-28T09:00")]
    [InlineData(29, "2026-01-29T10:00", "2026-02-28T09:00")]
    [InlineData(29, "2028-01-29T10:00", "2028-02-29T09:00")] // leap year: the 29th exists
    [InlineData(29, "2028-02-29T09:00", "2028-03-29T09:00")]
    [InlineData(15, "2026-01-15T10:00", "2026-02-15T09:00")]
    public void MonthlyFallsBackToTheLastDayOfAShorterMonth(int day, string after, string expected) =>
        Assert.Equal(Utc(expected), Create(ScheduleTypes.Monthly, "09:00", dom: day).NextAfter(Utc(after)));

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-15T12:00", "2026-04-15T07:00")]
    [InlineData("America/New_York", "2026-10-15T14:00", "2026-11-15T14:00")]
    public void MonthlyFollowsTheZonesOffset(string zone, string after, string expected) =>
        Assert.Equal(Utc(expected), Create(ScheduleTypes.Monthly, "09:00", zone, dom: 15).NextAfter(Utc(after)));

    [Theory]
    [InlineData("*/15 * * * *", "UTC", "2026-06-01T10:07", "2026-06-01T10:15")]
    [InlineData("0 9 * * 1-5", "Europe/Berlin", "2026-03-27T08:00", "2026-03-30T07:00")] // Friday (winter) → Monday (summer)
    [InlineData("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00", "2026-03-29T01:00")]
    [InlineData("0 12 29 2 *", "UTC", "2026-01-01T00:00", "2028-02-29T12:00")]
    [InlineData("0 9 * * *", "America/New_York", "2026-03-07T15:00", "2026-03-08T13:00")]
    public void CronIsEvaluatedInTheZone(string cron, string zone, string after, string expected) =>
        Assert.Equal(Utc(expected), Create(ScheduleTypes.Cron, zone: zone, cron: cron).NextAfter(Utc(after)));

    [Theory]
    [InlineData("2026-12-24T09:00", "Europe/Berlin", "2026-12-24T08:00")]
    [InlineData("2026-07-24T09:00", "Europe/Berlin", "2026-07-24T07:00")]
    [InlineData("2026-03-29T02:30", "Europe/Berlin", "2026-03-29T01:00")] // skipped: when the clocks jump
    [InlineData("2026-10-25T02:30", "Europe/Berlin", "2026-10-25T00:30")] // repeated: the first instant
    [InlineData("2026-11-01T01:30", "America/New_York", "2026-11-01T05:30")]
    public void OnceFiresOnceAtItsLocalTime(string time, string zone, string expected)
    {
        var once = Create(ScheduleTypes.Once, time, zone);
        Assert.Equal(Utc(expected), once.NextAfter(Utc("2026-01-01T00:00")));
        Assert.Null(once.NextAfter(Utc(expected)));
    }

    [Theory]
    [InlineData("hourly", null, "UTC", null, null, null, "schedule_type")]
    [InlineData(null, null, "UTC", null, null, null, "schedule_type")]
    [InlineData("daily", "09:00", "Mars/Olympus", null, null, null, "schedule_timezone")]
    [InlineData("daily", "9am", "UTC", null, null, null, "schedule_time")]
    [InlineData("daily", "24:00", "UTC", null, null, null, "schedule_time")]
    [InlineData("daily", null, "UTC", null, null, null, "schedule_time")]
    [InlineData("weekly", "09:00", "UTC", 7, null, null, "schedule_day_of_week")]
    [InlineData("weekly", "09:00", "UTC", null, null, null, "schedule_day_of_week")]
    [InlineData("monthly", "09:00", "UTC", null, 0, null, "schedule_day_of_month")]
    [InlineData("monthly", "09:00", "UTC", null, 32, null, "schedule_day_of_month")]
    [InlineData("cron", null, "UTC", null, null, "61 * * * *", "cron_expression")]
    [InlineData("cron", null, "UTC", null, null, "* * * *", "cron_expression")]
    [InlineData("cron", null, "UTC", null, null, null, "cron_expression")]
    [InlineData("once", "09:00", "UTC", null, null, null, "schedule_time")]
    public void AnInvalidScheduleNamesItsField(string? type, string? time, string zone, int? dow, int? dom, string? cron, string field)
    {
        Assert.Null(TriggerSchedule.TryCreate(new ScheduleSpec(type, time, zone, dow, dom, cron), out var problems));
        Assert.Contains(problems, p => p.Field == field);
    }

    [Fact]
    public void ACheckRunsTheLatestDueOccurrenceOnceAndSkipsOlderOnes()
    {
        var daily = Create(ScheduleTypes.Daily, "09:00");
        var grace = TimeSpan.FromHours(1);

        // Last run Monday; the cluster came back Thursday 09:40: Thursday's run (within the grace) runs, Tuesday's and
        // Wednesday's are counted as missed.
        var tick = ScheduleClock.Check(daily, Utc("2026-06-01T09:00"), Utc("2026-06-04T09:40"), grace);
        Assert.Equal(Utc("2026-06-04T09:00"), tick.Fire);
        Assert.Equal(2, tick.MissedBeyondGrace);
        Assert.Equal(Utc("2026-06-05T09:00"), tick.NextDue);

        // The next check, with Thursday's run stored, runs nothing more.
        var again = ScheduleClock.Check(daily, tick.Fire!.Value, Utc("2026-06-04T09:41"), grace);
        Assert.Null(again.Fire);
        Assert.Equal(0, again.MissedBeyondGrace);

        // Back only at 11:00: Thursday's run is past the grace too; nothing runs until Friday.
        var late = ScheduleClock.Check(daily, Utc("2026-06-01T09:00"), Utc("2026-06-04T11:00"), grace);
        Assert.Null(late.Fire);
        Assert.Equal(3, late.MissedBeyondGrace);
        Assert.Equal(Utc("2026-06-05T09:00"), late.NextDue);
    }

    [Fact]
    public void AMinutelyCronDownForHoursCatchesUpOnce()
    {
        var minutely = Create(ScheduleTypes.Cron, cron: "* * * * *");
        var tick = ScheduleClock.Check(minutely, Utc("2026-06-01T00:00"), Utc("2026-06-01T06:00:30"), TimeSpan.FromMinutes(5));
        Assert.Equal(Utc("2026-06-01T06:00"), tick.Fire);
        Assert.Equal(359, tick.MissedBeyondGrace);
        Assert.Equal(Utc("2026-06-01T06:01"), tick.NextDue);
    }

    [Fact]
    public void NothingBeforeTheTriggerBecameActiveIsDue()
    {
        var daily = Create(ScheduleTypes.Daily, "09:00");
        var tick = ScheduleClock.Check(daily, Utc("2026-06-01T09:30"), Utc("2026-06-01T09:45"), TimeSpan.FromHours(1));
        Assert.Null(tick.Fire);
        Assert.Equal(0, tick.MissedBeyondGrace);
        Assert.Equal(Utc("2026-06-02T09:00"), tick.NextDue);
    }
}
