namespace ChatBoost.Grains.Contacts;

/// <summary>
/// A contact's durable state: small, and written only when it really changes (a new profile name), never
/// once per message. The last inbound time is not stored here: it is derived from the messages table on
/// activation and kept in memory.
/// </summary>
[GenerateSerializer, Alias("chatboost.contacts.ContactState")]
public sealed class ContactState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public string? ProfileName { get; set; }

    [Id(2)] public DateTimeOffset FirstSeenAt { get; set; }
}
