using ChatBoost.Grains.Interfaces.Flows;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Interfaces.Contacts;

/// <summary>
/// One contact's conversation with one bot, keyed by (bot id, the contact's WhatsApp id): a compound key, so
/// the inbound hot path needs no database look-up to find it. Calls for one contact are handled one at a
/// time, in arrival order; different contacts run in parallel across silos. An acknowledged inbound message is consumed
/// by the flow engine exactly once, in order, whatever crashes in between (the contact's durable inbound cursor).
/// </summary>
[Alias("chatboost.contacts.IContactGrain")]
public interface IContactGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>The contact as the grain knows it, or null before anything was recorded for it.</summary>
    [Alias("GetProfile")]
    Task<ContactProfile?> GetProfileAsync();

    // ---- Inbound ----

    /// <summary>
    /// Records an inbound message durably (de-duplicated by wamid) and returns. Throws when the message could not be
    /// recorded. Consuming it (the contact's profile, flows) happens after the return, from the stored row, and never
    /// delays this call; a duplicate makes the contact look at its unconsumed messages too.
    /// </summary>
    [Alias("RecordInbound")]
    Task<InboundOutcome> RecordInboundAsync(InboundMessageInput input);

    /// <summary>
    /// One-way: inbound messages for this contact were recorded by someone else (the webhook ingress records through the
    /// silo's message writer without waiting for this grain's turn, so an acknowledgement never waits for flow work or an
    /// activation). The contact looks at its unconsumed messages. Nothing depends on this call arriving: a message after
    /// the cursor is found on activation and by the sweeper.
    /// </summary>
    /// <param name="lastMessageAt">The newest recorded message's WhatsApp time, if known (the 24-hour window moves).</param>
    [Alias("InboundRecorded"), OneWay]
    Task InboundRecordedAsync(DateTimeOffset? lastMessageAt);

    // ---- Outbound ----

    /// <summary>
    /// Sends one message to this contact through the bot's WhatsApp number. A free-form message outside the 24-hour window
    /// is refused without calling Meta; otherwise the message goes through the outbox (<c>queued</c> before the call, then
    /// <c>sent</c>, <c>failed</c> or <c>in_doubt</c>). Interleaves with the contact's other calls: a send in flight (or
    /// waiting for its pacing slot) never holds the contact's turn. The same <see cref="Interfaces.WhatsApp.SendCommand.IdempotencyKey"/>
    /// names the same message: a repeat gets its answer without a second send.
    /// </summary>
    [Alias("Send"), AlwaysInterleave]
    Task<ChatBoost.Grains.Interfaces.WhatsApp.SendOutcome> SendAsync(ChatBoost.Grains.Interfaces.WhatsApp.SendCommand command);

    // ---- Profile and attributes ----

    /// <summary>The contact, or null when it does not exist.</summary>
    [Alias("Get")]
    Task<ContactView?> GetAsync(bool includeAttributes);

    /// <summary>Creates the contact with its first attributes (all or nothing); a conflict when it exists.</summary>
    [Alias("Create")]
    Task<CommandResult<ContactView>> CreateAsync(CreateContactCommand command);

    [Alias("Update")]
    Task<CommandResult<ContactView>> UpdateAsync(UpdateContactCommand command);

    [Alias("GetAttributes")]
    Task<IReadOnlyList<AttributeView>?> GetAttributesAsync();

    /// <summary>Sets the attributes in one write: every value must convert to its type, or none is stored.</summary>
    [Alias("SetAttributes")]
    Task<CommandResult<IReadOnlyList<AttributeView>>> SetAttributesAsync(IReadOnlyList<SetAttributeCommand> attributes);

    [Alias("DeleteAttribute")]
    Task<CommandResult<bool>> DeleteAttributeAsync(string key);

    // ---- Flow executions ----

    /// <summary>Starts the flow's latest published version for this contact (creating the contact if needed).</summary>
    [Alias("StartExecution")]
    Task<CommandResult<ExecutionView>> StartExecutionAsync(StartExecutionCommand command);

    /// <summary>
    /// Starts a flow for automation, once per <see cref="AutomatedStartCommand.StartKey"/> (the key is written with the
    /// execution, under a unique index). Refuses, with the reason, when the contact has an active execution, opted out or
    /// does not exist; never creates the contact.
    /// </summary>
    [Alias("StartAutomated")]
    Task<AutomatedStartOutcome> StartAutomatedAsync(AutomatedStartCommand command);

    /// <summary>Continues a waiting execution now, or retries the failed step of a failed one.</summary>
    [Alias("ResumeExecution")]
    Task<CommandResult<ExecutionView>> ResumeExecutionAsync(long executionId);

    [Alias("CancelExecution")]
    Task<CommandResult<ExecutionView>> CancelExecutionAsync(long executionId, string reason);

    /// <summary>Delivers input as the contact's reply to an execution waiting for one.</summary>
    [Alias("SubmitInput")]
    Task<CommandResult<ExecutionView>> SubmitInputAsync(long executionId, string message);

    /// <summary>
    /// Makes the contact look at its work: results of effects that ran off its turn (sends, webhook calls), inbound
    /// messages after its cursor, an execution whose step stopped. Called by the grain on itself and by the sweeper;
    /// harmless from anywhere, any number of times.
    /// </summary>
    [Alias("Poke"), OneWay]
    Task PokeAsync();
}

[GenerateSerializer, Immutable, Alias("chatboost.contacts.ContactProfile")]
public sealed record ContactProfile(
    [property: Id(0)] long BotId,
    [property: Id(1)] string WaId,
    [property: Id(2)] string? ProfileName,
    [property: Id(3)] DateTimeOffset FirstSeenAt,
    [property: Id(4)] DateTimeOffset? LastInboundAt);
