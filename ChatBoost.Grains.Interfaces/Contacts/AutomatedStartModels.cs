namespace ChatBoost.Grains.Interfaces.Contacts;

/// <summary>
/// Starts a flow for the contact on behalf of automation (an event trigger). <see cref="StartKey"/> names the cause
/// deterministically (<c>event:&lt;trigger&gt;:&lt;event&gt;</c>): a second start with the same key, however it comes (a
/// redelivered event, a second dispatcher), starts nothing and answers <see cref="AutomatedStartStatuses.AlreadyStarted"/>.
/// <see cref="Trigger"/> is the execution's <c>trigger</c> (<c>event:&lt;trigger id&gt;</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.AutomatedStartCommand")]
public sealed record AutomatedStartCommand(
    [property: Id(0)] long FlowId,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] string Trigger,
    [property: Id(3)] string StartKey,
    [property: Id(4)] string? InitialStateJson);

/// <summary>The <see cref="AutomatedStartOutcome.Status"/> values: what became of an automated start.</summary>
public static class AutomatedStartStatuses
{
    /// <summary>The execution started (<see cref="AutomatedStartOutcome.ExecutionId"/>).</summary>
    public const string Started = "started";

    /// <summary>An execution with this start key exists already (<see cref="AutomatedStartOutcome.ExecutionId"/>): nothing started.</summary>
    public const string AlreadyStarted = "already_started";

    /// <summary>The contact has an active execution (one per contact): nothing started.</summary>
    public const string ActiveExecution = "active_execution";

    /// <summary>The contact opted out of messages: nothing started.</summary>
    public const string OptedOut = "opted_out";

    /// <summary>The contact does not exist (no row): nothing started.</summary>
    public const string NoContact = "no_contact";

    /// <summary>The flow is not this bot's, or has no published version that loads: nothing started.</summary>
    public const string FlowUnavailable = "flow_unavailable";
}

/// <summary>What an <see cref="AutomatedStartCommand"/> did; <see cref="Detail"/> says why not, for the trigger log.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.AutomatedStartOutcome")]
public sealed record AutomatedStartOutcome(
    [property: Id(0)] string Status,
    [property: Id(1)] long? ExecutionId,
    [property: Id(2)] string? Detail);
