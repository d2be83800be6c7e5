using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// The contact's row (<c>contacts</c>) as the grain holds it. <see cref="Id"/> 0 means "not stored yet": the next commit
/// inserts it. <see cref="Version"/> is the fence: a commit applies only to the row still at this version.
/// </summary>
internal sealed record ContactRecord
{
    public long Id { get; init; }

    public long OrganizationId { get; init; }

    public string? Name { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Username { get; init; }

    /// <summary>Meta's business-scoped user id, once a message carried it.</summary>
    public string? Bsuid { get; init; }

    public bool OptedIn { get; init; } = true;

    public DateTimeOffset? OptedChangedAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>What the row says; refreshed at most once a minute (the exact time comes from the messages table).</summary>
    public DateTimeOffset? StoredLastInboundAt { get; init; }

    /// <summary>The last inbound <c>messages.id</c> the engine consumed.</summary>
    public long InboundCursor { get; init; }

    public long Version { get; init; }

    public bool IsStored => Id != 0;
}

/// <summary>A stored attribute with its timestamps.</summary>
internal sealed record StoredAttribute(AttributeValue Value, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);

/// <summary>
/// The contact's active (or just ended) execution: the row of <c>flow_executions</c> as the grain holds it. Immutable: a
/// step makes a new record, which replaces the held one only once its commit succeeded. <see cref="Id"/> 0: not stored yet.
/// </summary>
internal sealed record ExecutionRecord
{
    public long Id { get; init; }

    public long OrganizationId { get; init; }

    public long FlowId { get; init; }

    public int FlowVersion { get; init; }

    public required string Trigger { get; init; }

    public long? StartedBy { get; init; }

    /// <summary>The deterministic key of an automated start (<c>event:&lt;trigger&gt;:&lt;event&gt;</c>), written by the
    /// insert only (unique: a second start with the same key fails); null otherwise, and not loaded back.</summary>
    public string? StartKey { get; init; }

    public required ExecutionSnapshot Snapshot { get; init; }

    public int LogCount { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The fence of the execution row (0 before it is stored).</summary>
    public long Version { get; init; }
}

/// <summary>Everything the grain loads on activation, in one round trip.</summary>
internal sealed record LoadedContact(
    ContactRecord? Contact,
    IReadOnlyList<(string Key, StoredAttribute Attribute)> Attributes,
    ExecutionRecord? ActiveExecution,
    DateTimeOffset? LastInboundAt,
    IReadOnlyList<PendingInbound> InboundAfterCursor);

/// <summary>An inbound message after the contact's cursor: the durable work item the consumer takes in id order.</summary>
internal sealed record PendingInbound(
    long Id,
    long OrganizationId,
    string WaMessageId,
    string MessageType,
    string? Text,
    string? ReplyId,
    string? ProfileName,
    DateTimeOffset At,
    string? FromUserId = null,
    string? Username = null)
{
    /// <summary>What a wait-for-reply stores: the chosen button or row id, else the text, else the empty string.</summary>
    public string ReplyValue => ReplyId ?? Text ?? "";
}

/// <summary>
/// One transaction of the contact grain: the contact row as it must be after it (inserted when not stored yet, else
/// updated under the fence), attribute writes and deletes, the execution row and its new log lines, and the domain
/// events of the change. Written before each external side effect, so the rows always hold what a crash resumes from.
/// </summary>
internal sealed class ContactChanges(ContactRecord contact)
{
    public ContactRecord Contact { get; } = contact;

    public List<(string Key, StoredAttribute Attribute)> UpsertAttributes { get; } = [];

    public List<string> DeleteAttributes { get; } = [];

    public ExecutionRecord? Execution { get; set; }

    public List<StepLog> Logs { get; } = [];

    /// <summary>Events whose contact and execution ids the store fills in when they are null.</summary>
    public List<NewContactEvent> Events { get; } = [];
}

/// <summary>What a commit stored: the rows with their new ids and versions.</summary>
internal sealed record CommittedChanges(ContactRecord Contact, ExecutionRecord? Execution);

/// <summary>
/// A commit found its row at another version (or the contact already inserted): another activation of the same contact
/// has committed since this one loaded. Nothing was written; this activation must stop and reload.
/// </summary>
internal sealed class ContactFencedException(string message) : Exception(message);
