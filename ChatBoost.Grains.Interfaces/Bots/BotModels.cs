namespace ChatBoost.Grains.Interfaces.Bots;

/// <summary>
/// A change to one optional field of an update: a null <see cref="FieldChange"/> means "leave unchanged";
/// one whose <see cref="Value"/> is null means "clear it".
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.FieldChange")]
public sealed record FieldChange([property: Id(0)] string? Value);

/// <summary>
/// A change to an optional id of an update, like <see cref="FieldChange"/>: a null <see cref="IdChange"/> means
/// "leave unchanged"; one whose <see cref="Value"/> is null means "clear it".
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.IdChange")]
public sealed record IdChange([property: Id(0)] long? Value);

/// <summary>
/// A change to a secret (absent: unchanged; <see cref="Value"/> null: clear; a string: replace). Its
/// <see cref="ToString"/> never shows the value, so a logged command cannot leak it.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.SecretChange")]
public sealed record SecretChange([property: Id(0)] string? Value)
{
    public override string ToString() => Value is null ? "SecretChange { clear }" : "SecretChange { *** }";
}

/// <summary>What the API shows of a secret: whether one is set and at most its last four characters.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.SecretSummary")]
public sealed record SecretSummary([property: Id(0)] bool IsSet, [property: Id(1)] string? Last4)
{
    public static readonly SecretSummary None = new(false, null);
}

[GenerateSerializer, Immutable, Alias("chatboost.bots.CreateBotCommand")]
public sealed record CreateBotCommand(
    [property: Id(0)] long ActorUserId,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] bool IsWhatsappEnabled,
    [property: Id(5)] string? WhatsappPhoneNumberId,
    [property: Id(6)] string? WhatsappBusinessAccountId,
    [property: Id(7)] SecretChange? WhatsappAccessToken,
    [property: Id(8)] SecretChange? WhatsappAppSecret,
    [property: Id(9)] SecretChange? WhatsappWebhookVerifyToken,
    [property: Id(10)] long? DefaultFlowId = null);

/// <summary>An update: every null member is "unchanged" (see <see cref="FieldChange"/>, <see cref="SecretChange"/>).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.UpdateBotCommand")]
public sealed record UpdateBotCommand(
    [property: Id(0)] long ActorUserId,
    [property: Id(1)] string? Name,
    [property: Id(2)] FieldChange? Description,
    [property: Id(3)] bool? IsWhatsappEnabled,
    [property: Id(4)] FieldChange? WhatsappPhoneNumberId,
    [property: Id(5)] FieldChange? WhatsappBusinessAccountId,
    [property: Id(6)] SecretChange? WhatsappAccessToken,
    [property: Id(7)] SecretChange? WhatsappAppSecret,
    [property: Id(8)] SecretChange? WhatsappWebhookVerifyToken,
    [property: Id(9)] IdChange? DefaultFlowId = null);

/// <summary>
/// A bot as the API may show it: secrets only as <see cref="SecretSummary"/>. <see cref="DefaultFlowId"/> is the
/// setting as stored: it stays after its flow is deleted, though such a flow no longer starts
/// (see <see cref="IBotGrain.GetDefaultFlowAsync"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.BotView")]
public sealed record BotView(
    [property: Id(0)] long Id,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] bool IsWhatsappEnabled,
    [property: Id(5)] string? WhatsappPhoneNumberId,
    [property: Id(6)] string? WhatsappBusinessAccountId,
    [property: Id(7)] SecretSummary WhatsappAccessToken,
    [property: Id(8)] SecretSummary WhatsappAppSecret,
    [property: Id(9)] SecretSummary WhatsappWebhookVerifyToken,
    [property: Id(10)] long CreatedBy,
    [property: Id(11)] DateTimeOffset CreatedAt,
    [property: Id(12)] DateTimeOffset? UpdatedAt,
    [property: Id(13)] bool CredentialsInvalid = false,
    [property: Id(14)] string? CredentialsInvalidReason = null,
    [property: Id(15)] DateTimeOffset? CredentialsInvalidAt = null,
    [property: Id(16)] long? DefaultFlowId = null);
