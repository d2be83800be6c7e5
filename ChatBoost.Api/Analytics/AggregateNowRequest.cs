using ChatBoost.Api.Http;

namespace ChatBoost.Api.Analytics;

/// <summary>
/// <c>POST /analytics/aggregate-now</c>: <c>date</c> (ISO 8601; its UTC day is aggregated), <c>bot_id</c> (optional:
/// without it, every bot the caller may write to), <c>force_recalculate</c> (default false).
/// </summary>
public sealed class AggregateNowRequest : IRequestBody
{
    public string? Date { get; init; }

    public long? BotId { get; init; }

    public bool? ForceRecalculate { get; init; }

    public DateOnly Day => DateOnly.FromDateTime(AnalyticsParameters.ParseDate(Date!)!.Value.UtcDateTime);

    public void Validate(ValidationErrors errors)
    {
        if (Date is null || AnalyticsParameters.ParseDate(Date) is null)
        {
            errors.Add("date", "Required: an ISO 8601 date or date-time (UTC unless it has an offset), such as 2024-01-15T00:00:00.");
        }

        if (BotId is <= 0)
        {
            errors.Add("bot_id", "Must be a positive integer id.");
        }
    }
}
