namespace ChatBoost.Grains.Interfaces.Contacts;

/// <summary>
/// One contact's conversation with one bot, keyed by (bot id, the contact's WhatsApp id): a compound key, so
/// the inbound hot path needs no database look-up to find it. Calls for one contact are handled one at a
/// time, in arrival order; different contacts run in parallel across silos. Inbound recording lives in
/// <c>ContactGrain.Inbound.cs</c>, sending in <c>ContactGrain.Outbound.cs</c>; later issues add the flow
/// engine and attributes here.
/// </summary>
[Alias("chatboost.contacts.IContactGrain")]
public interface IContactGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>The contact as the grain knows it, or null before anything was recorded for it.</summary>
    [Alias("GetProfile")]
    Task<ContactProfile?> GetProfileAsync();

    // ---- Inbound (ContactGrain.Inbound.cs) ----

    /// <summary>
    /// Records an inbound message durably (de-duplicated by wamid), the contact's profile name and its last inbound
    /// time, and returns. Throws when the message could not be recorded. Processing after the record (triggers,
    /// flows) never delays this call.
    /// </summary>
    [Alias("RecordInbound")]
    Task<InboundOutcome> RecordInboundAsync(InboundMessageInput input);

    // ---- end of inbound ----

    // ---- Outbound (ContactGrain.Outbound.cs) ----

    /// <summary>
    /// Sends one message to this contact through the bot's WhatsApp number. Calls to one contact run one at a time, so
    /// sends are strictly ordered. A free-form message outside the 24-hour window is refused without calling Meta;
    /// otherwise the message is recorded as <c>queued</c> before the call (the outbox), then <c>sent</c> or <c>failed</c>.
    /// </summary>
    [Alias("Send")]
    Task<ChatBoost.Grains.Interfaces.WhatsApp.SendOutcome> SendAsync(ChatBoost.Grains.Interfaces.WhatsApp.SendCommand command);

    // ---- end of outbound ----
}

[GenerateSerializer, Immutable, Alias("chatboost.contacts.ContactProfile")]
public sealed record ContactProfile(
    [property: Id(0)] long BotId,
    [property: Id(1)] string WaId,
    [property: Id(2)] string? ProfileName,
    [property: Id(3)] DateTimeOffset FirstSeenAt,
    [property: Id(4)] DateTimeOffset? LastInboundAt);
