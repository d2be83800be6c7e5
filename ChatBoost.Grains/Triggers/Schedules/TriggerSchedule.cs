using System.Globalization;
using Cronos;

namespace ChatBoost.Grains.Triggers.Schedules;

/// <summary>The seed's <c>schedule_type</c> values.</summary>
public static class ScheduleTypes
{
    public const string Once = "once";
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";
    public const string Cron = "cron";

    public static readonly IReadOnlyList<string> All = [Once, Daily, Weekly, Monthly, Cron];
}

/// <summary>A schedule as the API gives it (the seed's fields); <see cref="TriggerSchedule.TryCreate"/> checks and compiles it.</summary>
public sealed record ScheduleSpec(
    string? ScheduleType,
    string? ScheduleTime,
    string? ScheduleTimezone,
    int? ScheduleDayOfWeek,
    int? ScheduleDayOfMonth,
    string? CronExpression);

/// <summary>A problem with one field of a schedule (the API's 422 names the field).</summary>
public sealed record ScheduleProblem(string Field, string Message);

/// <summary>
/// When a schedule trigger fires, computed in the trigger's IANA time zone with that zone's rules. Daily, weekly, monthly
/// and cron schedules are cron expressions evaluated by Cronos; so are their daylight-saving rules:
/// <list type="bullet">
/// <item>a wall-clock time that does not exist on the day the clocks go forward (02:30 in Europe/Berlin on 29 March 2026)
/// fires once, at the instant the clocks jump (03:00 local);</item>
/// <item>a time that exists twice on the day the clocks go back fires once, at its first (summer-time) instant.</item>
/// </list>
/// <c>schedule_day_of_week</c> is 0–6 with Monday = 0 (the seed's Python <c>weekday()</c>); <c>schedule_day_of_month</c> is
/// 1–31, and in a month without that day the trigger fires on the month's last day (31 → 30 April, 28 or 29 February).
/// A <c>once</c> schedule's <c>schedule_time</c> is a local date and time (<c>2026-12-24T09:00</c>) in the zone.
/// </summary>
public sealed class TriggerSchedule
{
    private readonly CronExpression? _cron;
    private readonly CronExpression? _lastDay;
    private readonly int _dayOfMonth;
    private readonly DateTimeOffset? _once;

    private TriggerSchedule(TimeZoneInfo zone, CronExpression? cron, CronExpression? lastDay, int dayOfMonth, DateTimeOffset? once)
    {
        Zone = zone;
        _cron = cron;
        _lastDay = lastDay;
        _dayOfMonth = dayOfMonth;
        _once = once;
    }

    public TimeZoneInfo Zone { get; }

    public static TriggerSchedule? TryCreate(ScheduleSpec spec, out IReadOnlyList<ScheduleProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var found = new List<ScheduleProblem>();
        problems = found;
        if (spec.ScheduleType is not { } type || !ScheduleTypes.All.Contains(type))
        {
            found.Add(new("schedule_type", $"schedule_type must be one of {string.Join(", ", ScheduleTypes.All)}."));
            return null;
        }

        var zone = FindZone(spec.ScheduleTimezone ?? "UTC");
        if (zone is null)
        {
            found.Add(new("schedule_timezone", $"'{spec.ScheduleTimezone}' is not a known IANA time zone (such as Europe/Berlin)."));
        }

        TimeOnly time = default;
        if (type is ScheduleTypes.Daily or ScheduleTypes.Weekly or ScheduleTypes.Monthly
            && !TimeOnly.TryParseExact(spec.ScheduleTime ?? "", ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
        {
            found.Add(new("schedule_time", "schedule_time must be a time of day, HH:mm (24-hour)."));
        }

        if (type == ScheduleTypes.Weekly && spec.ScheduleDayOfWeek is not (>= 0 and <= 6))
        {
            found.Add(new("schedule_day_of_week", "schedule_day_of_week must be 0 (Monday) to 6 (Sunday)."));
        }

        if (type == ScheduleTypes.Monthly && spec.ScheduleDayOfMonth is not (>= 1 and <= 31))
        {
            found.Add(new("schedule_day_of_month", "schedule_day_of_month must be 1 to 31."));
        }

        CronExpression? cron = null;
        if (type == ScheduleTypes.Cron)
        {
            try
            {
                cron = CronExpression.Parse(spec.CronExpression ?? "", CronFormat.Standard);
            }
            catch (CronFormatException e)
            {
                found.Add(new("cron_expression", $"cron_expression is not a five-field cron expression: {e.Message}"));
            }
        }

        DateTime onceLocal = default;
        if (type == ScheduleTypes.Once
            && !DateTime.TryParseExact(spec.ScheduleTime ?? "", ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out onceLocal))
        {
            found.Add(new("schedule_time", "schedule_time of a once schedule must be a local date and time, yyyy-MM-ddTHH:mm."));
        }

        if (found.Count > 0)
        {
            return null;
        }

        var pattern = $"{time.Minute} {time.Hour}";
        return type switch
        {
            ScheduleTypes.Once => new TriggerSchedule(zone!, null, null, 0, LocalToInstant(DateTime.SpecifyKind(onceLocal, DateTimeKind.Unspecified), zone!)),
            ScheduleTypes.Daily => new TriggerSchedule(zone!, Cron($"{pattern} * * *"), null, 0, null),
            ScheduleTypes.Weekly => new TriggerSchedule(zone!, Cron($"{pattern} * * {(spec.ScheduleDayOfWeek!.Value + 1) % 7}"), null, 0, null),
            ScheduleTypes.Monthly => new TriggerSchedule(zone!, Cron($"{pattern} {spec.ScheduleDayOfMonth} * *"),
                spec.ScheduleDayOfMonth > 28 ? Cron($"{pattern} L * *") : null, spec.ScheduleDayOfMonth!.Value, null),
            _ => new TriggerSchedule(zone!, cron, null, 0, null),
        };
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none (a past once).</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        if (_once is { } once)
        {
            return once > after ? once : null;
        }

        var next = _cron!.GetNextOccurrence(after, Zone);
        if (_lastDay is null)
        {
            return next;
        }

        // A month shorter than the day: its last day stands in. At most a year of last days to look at.
        var from = after;
        for (var i = 0; i < 13; i++)
        {
            if (_lastDay.GetNextOccurrence(from, Zone) is not { } last || (next is { } n && last >= n))
            {
                break;
            }

            var local = TimeZoneInfo.ConvertTime(last, Zone);
            if (DateTime.DaysInMonth(local.Year, local.Month) < _dayOfMonth)
            {
                return last;
            }

            from = last;
        }

        return next;
    }

    public static TimeZoneInfo? FindZone(string id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>A local wall-clock time as an instant, with the same rules as Cronos: a skipped time is the instant the
    /// clocks jump, an ambiguous one its first instant.</summary>
    private static DateTimeOffset LocalToInstant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            // The first valid local minute after the gap is the instant the clocks jumped.
            var probe = local;
            while (zone.IsInvalidTime(probe))
            {
                probe = probe.AddMinutes(1);
            }

            return new DateTimeOffset(probe, zone.GetUtcOffset(probe));
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            return new DateTimeOffset(local, offsets.Max());
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static CronExpression Cron(string expression) => CronExpression.Parse(expression, CronFormat.Standard);
}
