namespace ChatBoost.Grains.Interfaces.Triggers;

/// <summary>
/// One run of a schedule trigger's flow for its audience (key: the run id, a <c>trigger_runs</c> row): walks the audience
/// in contact id order from its persisted cursor, starting each contact's execution once (start key
/// <c>broadcast:&lt;run&gt;:&lt;contact&gt;</c>) at the number's rate. A reminder brings it back after a crash.
/// </summary>
[Alias("chatboost.triggers.ITriggerRunGrain")]
public interface ITriggerRunGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the run is walking (idempotent): registers its reminder and its timer while it is running.</summary>
    [Alias("Start")]
    Task StartAsync();

    /// <summary>Stops a running run: nothing more starts; executions already started go on. Not found: no such run.</summary>
    [Alias("Cancel")]
    Task<CommandResult<TriggerRunView>> CancelAsync(long? cancelledBy);
}

/// <summary>The <see cref="TriggerRunView.Status"/> values.</summary>
public static class TriggerRunStatuses
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";

    /// <summary>The run could not start anything (its flow has no published version).</summary>
    public const string Failed = "failed";
}

/// <summary>What started a run.</summary>
public static class TriggerRunSources
{
    /// <summary>The schedule's occurrence, on time (within the check interval).</summary>
    public const string Schedule = "schedule";

    /// <summary>The schedule's occurrence, late (the cluster was down): the one catch-up within the grace.</summary>
    public const string CatchUp = "catch_up";

    /// <summary><c>POST /triggers/{id}/runs</c>.</summary>
    public const string Manual = "manual";
}

/// <summary>A run and its progress as of the read: audience size, contacts decided, started, skipped by reason, and the
/// messages of its executions that Meta accepted or refused.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerRunView")]
public sealed record TriggerRunView(
    [property: Id(0)] long Id,
    [property: Id(1)] long TriggerId,
    [property: Id(2)] long BotId,
    [property: Id(3)] long OrganizationId,
    [property: Id(4)] long FlowId,
    [property: Id(5)] string Source,
    [property: Id(6)] string Status,
    [property: Id(7)] DateTimeOffset? Occurrence,
    [property: Id(8)] long? Total,
    [property: Id(9)] long Processed,
    [property: Id(10)] long Started,
    [property: Id(11)] IReadOnlyDictionary<string, long> Skipped,
    [property: Id(12)] long Sent,
    [property: Id(13)] long Failed,
    [property: Id(14)] DateTimeOffset CreatedAt,
    [property: Id(15)] DateTimeOffset? FinishedAt,
    [property: Id(16)] string? Detail);

[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerRunPage")]
public sealed record TriggerRunPage([property: Id(0)] IReadOnlyList<TriggerRunView> Items, [property: Id(1)] long Total);
