namespace ChatBoost.Grains.Analytics;

/// <summary>
/// A UTC day's rows from its hours (pure): per bot, the sum of its hours' figures, and the distinct contacts of the
/// day's activity (a contact active in three hours is one active contact of the day).
/// </summary>
public static class DailyRollup
{
    public static IReadOnlyList<RollupRecord> Combine(DateTimeOffset day, IEnumerable<BotHourStats> hours, IEnumerable<ContactActivity> activity)
    {
        ArgumentNullException.ThrowIfNull(hours);
        ArgumentNullException.ThrowIfNull(activity);
        var end = day.AddDays(1);
        var active = activity
            .Where(a => a.Hour >= day && a.Hour < end)
            .GroupBy(a => a.BotId)
            .ToDictionary(g => g.Key, g => (long)g.Select(a => a.ContactWaId).Distinct(StringComparer.Ordinal).Count());
        return hours
            .Where(h => h.Hour >= day && h.Hour < end)
            .GroupBy(h => h.BotId)
            .OrderBy(g => g.Key)
            .Select(g => new RollupRecord(g.Key, g.First().OrganizationId, day, Interfaces.Analytics.StatsValues.Sum(g.Select(h => h.Values)), active.GetValueOrDefault(g.Key)))
            .ToList();
    }
}
