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
}

[GenerateSerializer, Immutable, Alias("chatboost.contacts.ContactProfile")]
public sealed record ContactProfile(
    [property: Id(0)] long BotId,
    [property: Id(1)] string WaId,
    [property: Id(2)] string? ProfileName,
    [property: Id(3)] DateTimeOffset FirstSeenAt,
    [property: Id(4)] DateTimeOffset? LastInboundAt);
