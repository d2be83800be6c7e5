using System.Globalization;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Api.Analytics;

/// <summary>
/// The analytics endpoints' query parameters, read strictly: <c>period</c> (a seed period, default <c>7days</c>),
/// <c>tz</c> (an IANA zone, default UTC), <c>start_date</c>/<c>end_date</c> (ISO 8601; without an offset they are UTC, as
/// in the seed), <c>granularity</c> (<c>hourly</c> or <c>daily</c>), <c>version</c> and <c>format</c> (<c>json</c> or
/// <c>csv</c>). Each problem is a 422 naming its parameter.
/// </summary>
public static class AnalyticsParameters
{
    public const string DefaultPeriod = AnalyticsPeriodNames.Last7Days;

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public static string Period(HttpRequest request, ValidationErrors errors)
    {
        var raw = request.Query["period"].ToString();
        if (raw.Length == 0)
        {
            return DefaultPeriod;
        }

        if (!AnalyticsPeriodNames.All.Contains(raw, StringComparer.Ordinal))
        {
            errors.Add("period", $"Must be one of {string.Join(", ", AnalyticsPeriodNames.All)}.");
        }

        return raw;
    }

    public static string Tz(HttpRequest request, ValidationErrors errors)
    {
        var raw = request.Query["tz"].ToString();
        if (raw.Length == 0)
        {
            return StatsRange.Utc;
        }

        if (raw.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(raw, out _))
        {
            errors.Add("tz", "Must be an IANA time zone id, such as Europe/Berlin.");
        }

        return raw;
    }

    public static DateTimeOffset? Date(HttpRequest request, string name, ValidationErrors errors, bool required)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            if (required)
            {
                errors.Add(name, "Required: an ISO 8601 date-time (UTC unless it has an offset), such as 2024-01-07T23:59:59.");
            }

            return null;
        }

        if (ParseDate(raw) is { } value)
        {
            return value;
        }

        errors.Add(name, "Must be an ISO 8601 date-time (UTC unless it has an offset), such as 2024-01-07T23:59:59.");
        return null;
    }

    /// <summary>An ISO 8601 date or date-time, UTC unless it has an offset; null when it is not one.</summary>
    public static DateTimeOffset? ParseDate(string raw) =>
        raw.Length <= 40 && DateTimeOffset.TryParseExact(raw, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    /// <summary>Both dates, and the end not before the start.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Dates(HttpRequest request, ValidationErrors errors)
    {
        var start = Date(request, "start_date", errors, required: true);
        var end = Date(request, "end_date", errors, required: true);
        if (start is { } s && end is { } e && e < s)
        {
            errors.Add("end_date", "Must not be before start_date.");
        }

        return (start ?? default, end ?? default);
    }

    public static StatsGranularity Granularity(HttpRequest request, ValidationErrors errors) => request.Query["granularity"].ToString() switch
    {
        "" or "daily" => StatsGranularity.Daily,
        "hourly" => StatsGranularity.Hourly,
        _ => Invalid(errors, "granularity", "Must be hourly or daily.", StatsGranularity.Daily),
    };

    public static bool Csv(HttpRequest request, ValidationErrors errors) => request.Query["format"].ToString() switch
    {
        "" or "json" => false,
        "csv" => true,
        _ => Invalid(errors, "format", "Must be json or csv.", false),
    };

    public static int? Version(HttpRequest request, ValidationErrors errors)
    {
        var raw = request.Query["version"].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : Invalid<int?>(errors, "version", "Must be a positive version number.", null);
    }

    private static T Invalid<T>(ValidationErrors errors, string name, string message, T fallback)
    {
        errors.Add(name, message);
        return fallback;
    }
}
