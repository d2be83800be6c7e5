namespace ChatBoost.Grains.Bots;

/// <summary>A bot's write model, persisted whole through Orleans' ADO.NET grain storage. Secrets only encrypted.</summary>
[GenerateSerializer, Alias("chatboost.bots.BotState")]
public sealed class BotState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public long OrganizationId { get; set; }

    [Id(2)] public string Name { get; set; } = "";

    [Id(3)] public string? Description { get; set; }

    [Id(4)] public bool IsWhatsappEnabled { get; set; }

    [Id(5)] public string? PhoneNumberId { get; set; }

    [Id(6)] public string? BusinessAccountId { get; set; }

    [Id(7)] public ProtectedSecret? AccessToken { get; set; }

    [Id(8)] public ProtectedSecret? AppSecret { get; set; }

    [Id(9)] public ProtectedSecret? WebhookVerifyToken { get; set; }

    [Id(10)] public long CreatedBy { get; set; }

    [Id(11)] public DateTimeOffset CreatedAt { get; set; }

    [Id(12)] public DateTimeOffset? UpdatedAt { get; set; }

    [Id(13)] public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Meta rejected the access token (code 190 and kin): no sends until the access token is updated.</summary>
    [Id(14)] public bool CredentialsInvalid { get; set; }

    /// <summary>Why (Meta's error code and message; never a secret).</summary>
    [Id(15)] public string? CredentialsInvalidReason { get; set; }

    [Id(16)] public DateTimeOffset? CredentialsInvalidAt { get; set; }

    /// <summary>
    /// The flow a contact's message starts when no execution is running for that contact. Checked when set (a live,
    /// published flow of this bot); kept when that flow is deleted later, which then no longer starts.
    /// </summary>
    [Id(17)] public long? DefaultFlowId { get; set; }

    public bool IsLive => Exists && DeletedAt is null;

    /// <summary>A copy to restore when a change is refused after it was applied (every member is immutable).</summary>
    public BotState Copy() => (BotState)MemberwiseClone();
}

/// <summary>
/// A secret encrypted by <see cref="Infrastructure.ISecretProtector"/>, with what may be shown of it: at most its last
/// four characters, and only for secrets of at least <see cref="MinLengthToShowLast4"/> characters (so the hint never
/// gives away most of a short secret).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.ProtectedSecret")]
public sealed record ProtectedSecret([property: Id(0)] string Ciphertext, [property: Id(1)] string? Last4)
{
    public const int MinLengthToShowLast4 = 12;

    public override string ToString() => "ProtectedSecret { *** }";

    public static string? Last4Of(string plaintext) => plaintext.Length >= MinLengthToShowLast4 ? plaintext[^4..] : null;
}
