using System.Text.Json.Serialization;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Bots;

namespace ChatBoost.Api.Bots;

/// <summary>
/// <c>POST /bots/</c>. <c>organization_id</c> is optional: without it the bot goes to the caller's personal organization.
/// Secrets are write-only. <c>default_flow_id</c> is accepted but a new bot has no flows, so any id is refused (422):
/// set it with <c>PUT /bots/{bot_id}</c> once a flow is published.
/// </summary>
public sealed class CreateBotRequest : IRequestBody
{
    public long? OrganizationId { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public bool? IsWhatsappEnabled { get; init; }

    public string? WhatsappPhoneNumberId { get; init; }

    public string? WhatsappBusinessAccountId { get; init; }

    public string? WhatsappAccessToken { get; init; }

    public string? WhatsappAppSecret { get; init; }

    public string? WhatsappWebhookVerifyToken { get; init; }

    public long? DefaultFlowId { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (OrganizationId is <= 0)
        {
            errors.Add("organization_id", "Must be a positive id.");
        }

        BotValidation.DefaultFlowId(DefaultFlowId, errors);

        errors.Required("name", Name);
        BotValidation.NameAndDescription(Name, Description, errors);
        BotValidation.AccountId("whatsapp_phone_number_id", WhatsappPhoneNumberId, errors);
        BotValidation.AccountId("whatsapp_business_account_id", WhatsappBusinessAccountId, errors);
        BotValidation.Secret("whatsapp_access_token", WhatsappAccessToken, errors);
        BotValidation.Secret("whatsapp_app_secret", WhatsappAppSecret, errors);
        BotValidation.Secret("whatsapp_webhook_verify_token", WhatsappWebhookVerifyToken, errors);
    }

    public CreateBotCommand ToCommand(long actorUserId, long organizationId) => new(
        actorUserId, organizationId, Name!.Trim(), BotValidation.Blank(Description), IsWhatsappEnabled ?? false,
        BotValidation.Blank(WhatsappPhoneNumberId), BotValidation.Blank(WhatsappBusinessAccountId),
        Secret(WhatsappAccessToken), Secret(WhatsappAppSecret), Secret(WhatsappWebhookVerifyToken), DefaultFlowId);

    private static SecretChange? Secret(string? value) => value is null ? null : new SecretChange(value);
}

/// <summary>
/// <c>PUT /bots/{bot_id}</c>: a partial update. A field that is absent is unchanged; for the optional fields
/// (description, WhatsApp ids and secrets, <c>default_flow_id</c>) <c>null</c> clears the value and a value replaces it.
/// </summary>
public sealed class UpdateBotRequest : IRequestBody
{
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);

    public string? Name { get; init; }

    public string? Description { get; init { field = value; _present.Add("description"); } }

    public bool? IsWhatsappEnabled { get; init; }

    public string? WhatsappPhoneNumberId { get; init { field = value; _present.Add("whatsapp_phone_number_id"); } }

    public string? WhatsappBusinessAccountId { get; init { field = value; _present.Add("whatsapp_business_account_id"); } }

    public string? WhatsappAccessToken { get; init { field = value; _present.Add("whatsapp_access_token"); } }

    public string? WhatsappAppSecret { get; init { field = value; _present.Add("whatsapp_app_secret"); } }

    public string? WhatsappWebhookVerifyToken { get; init { field = value; _present.Add("whatsapp_webhook_verify_token"); } }

    public long? DefaultFlowId { get; init { field = value; _present.Add("default_flow_id"); } }

    public void Validate(ValidationErrors errors)
    {
        if (Name is null && IsWhatsappEnabled is null && _present.Count == 0)
        {
            errors.Add("$", "Send at least one field to change.");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("name", "Must not be blank.");
        }

        BotValidation.NameAndDescription(Name, Description, errors);
        BotValidation.AccountId("whatsapp_phone_number_id", WhatsappPhoneNumberId, errors);
        BotValidation.AccountId("whatsapp_business_account_id", WhatsappBusinessAccountId, errors);
        BotValidation.Secret("whatsapp_access_token", WhatsappAccessToken, errors);
        BotValidation.Secret("whatsapp_app_secret", WhatsappAppSecret, errors);
        BotValidation.Secret("whatsapp_webhook_verify_token", WhatsappWebhookVerifyToken, errors);
        BotValidation.DefaultFlowId(DefaultFlowId, errors);
    }

    public UpdateBotCommand ToCommand(long actorUserId) => new(
        actorUserId,
        Name?.Trim(),
        Field("description", BotValidation.Blank(Description)),
        IsWhatsappEnabled,
        Field("whatsapp_phone_number_id", BotValidation.Blank(WhatsappPhoneNumberId)),
        Field("whatsapp_business_account_id", BotValidation.Blank(WhatsappBusinessAccountId)),
        Secret("whatsapp_access_token", WhatsappAccessToken),
        Secret("whatsapp_app_secret", WhatsappAppSecret),
        Secret("whatsapp_webhook_verify_token", WhatsappWebhookVerifyToken),
        _present.Contains("default_flow_id") ? new IdChange(DefaultFlowId) : null);

    private FieldChange? Field(string name, string? value) => _present.Contains(name) ? new FieldChange(value) : null;

    private SecretChange? Secret(string name, string? value) => _present.Contains(name) ? new SecretChange(value) : null;
}

internal static class BotValidation
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const int MaxAccountIdLength = 64;
    public const int MaxSecretLength = 4096;

    public static void NameAndDescription(string? name, string? description, ValidationErrors errors)
    {
        errors.MaxLength("name", name?.Trim(), MaxNameLength);
        errors.NoControlCharacters("name", name);
        errors.MaxLength("description", description, MaxDescriptionLength);
    }

    /// <summary>WhatsApp phone number ids and business account ids are numeric strings.</summary>
    public static void AccountId(string field, string? value, ValidationErrors errors)
    {
        if (value is not null && (value.Length is 0 or > MaxAccountIdLength || !value.All(char.IsAsciiDigit)))
        {
            errors.Add(field, $"Must be the numeric id Meta shows (1 to {MaxAccountIdLength} digits).");
        }
    }

    public static void Secret(string field, string? value, ValidationErrors errors)
    {
        if (value is not null && (value.Length is 0 or > MaxSecretLength || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            errors.Add(field, $"Must be 1 to {MaxSecretLength} characters without spaces; send null to clear it.");
        }
    }

    /// <summary>The shape only; the bot grain checks that the flow is a live, published flow of the bot.</summary>
    public static void DefaultFlowId(long? value, ValidationErrors errors)
    {
        if (value is <= 0)
        {
            errors.Add("default_flow_id", "Must be a positive flow id, or null.");
        }
    }

    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// A bot. Secrets are never returned: only whether each is set and, for secrets of 12 characters or more, its last four
/// characters. <c>default_flow_id</c> is shown as set, also after that flow was deleted (it then starts nothing).
/// </summary>
public sealed record BotResponse(
    long Id,
    long OrganizationId,
    string Name,
    string? Description,
    bool IsWhatsappEnabled,
    string? WhatsappPhoneNumberId,
    string? WhatsappBusinessAccountId,
    bool HasWhatsappAccessToken,
    string? WhatsappAccessTokenLast4,
    bool HasWhatsappAppSecret,
    string? WhatsappAppSecretLast4,
    bool HasWhatsappWebhookVerifyToken,
    string? WhatsappWebhookVerifyTokenLast4,
    long CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    bool CredentialsInvalid = false,
    string? CredentialsInvalidReason = null,
    DateTimeOffset? CredentialsInvalidAt = null,
    long? DefaultFlowId = null)
{
    public static BotResponse From(BotView b) => new(
        b.Id, b.OrganizationId, b.Name, b.Description, b.IsWhatsappEnabled, b.WhatsappPhoneNumberId, b.WhatsappBusinessAccountId,
        b.WhatsappAccessToken.IsSet, b.WhatsappAccessToken.Last4, b.WhatsappAppSecret.IsSet, b.WhatsappAppSecret.Last4,
        b.WhatsappWebhookVerifyToken.IsSet, b.WhatsappWebhookVerifyToken.Last4, b.CreatedBy, b.CreatedAt, b.UpdatedAt,
        b.CredentialsInvalid, b.CredentialsInvalidReason, b.CredentialsInvalidAt, b.DefaultFlowId);
}
