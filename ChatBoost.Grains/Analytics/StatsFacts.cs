using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// One <c>messages</c> row as the definitions see it. <paramref name="ContactCreatedAt"/> is the contact's
/// <c>created_at</c> (null while the first message's contact row does not exist yet).
/// </summary>
public sealed record MessageFact(
    long Id, long BotId, long OrganizationId, string ContactWaId, bool Inbound, string MessageType, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? ContactCreatedAt);

/// <summary>One <c>contacts</c> row: who and when it was created.</summary>
public sealed record ContactFact(long BotId, long OrganizationId, string WaId, DateTimeOffset CreatedAt);

/// <summary>One <c>flow_executions</c> row: when it started, how (its <c>trigger</c>) and its status now.</summary>
public sealed record ExecutionFact(long BotId, long OrganizationId, DateTimeOffset StartedAt, string Status, string Trigger);

/// <summary>A bot's figures for one UTC hour and the number of distinct contacts active in it.</summary>
public sealed record BotHourStats(long BotId, long OrganizationId, DateTimeOffset Hour, StatsValues Values, long ActiveContacts);

/// <summary>A contact with at least one message in a UTC hour (the distinct-contact rollup, <c>contact_activity_hourly</c>).</summary>
public sealed record ContactActivity(long BotId, long OrganizationId, DateTimeOffset Hour, string ContactWaId, DateTimeOffset? ContactCreatedAt);

/// <summary>The folded figures of a range: per bot and hour, and the activity behind the distinct counts.</summary>
public sealed record StatsFoldResult(IReadOnlyList<BotHourStats> Hours, IReadOnlyList<ContactActivity> Activity);
