using ChatBoost.Grains.Infrastructure;
using Dapper;
using Npgsql;

namespace ChatBoost.Grains.Bots;

/// <summary>
/// Writes a bot's state into the <c>bots</c> table. Idempotent (an upsert of the whole row). The row is also the bot's
/// claim on its phone number id: the partial unique index refuses a second live bot with the same number, which
/// surfaces as <see cref="IsPhoneNumberConflict"/>.
/// With <paramref name="secrets"/>, the row also carries the SHA-256 of the webhook verify token (for
/// <c>GET /whatsapp/webhook</c>); without it, that column is left as it is.
/// </summary>
public sealed class BotProjection(Database database, ISecretProtector? secrets = null)
{
    public const string PhoneNumberIndex = "bots_live_phone_number_key";

    public static bool IsPhoneNumberConflict(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == PhoneNumberIndex;

    public async Task SaveAsync(long botId, BotState s, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO bots (id, organization_id, name, description, is_whatsapp_enabled, whatsapp_phone_number_id, whatsapp_business_account_id,
                has_whatsapp_access_token, whatsapp_access_token_last4, has_whatsapp_app_secret, whatsapp_app_secret_last4,
                has_whatsapp_webhook_verify_token, whatsapp_webhook_verify_token_last4, whatsapp_webhook_verify_token_sha256, created_by, created_at, updated_at, deleted_at,
                credentials_invalid, credentials_invalid_reason, credentials_invalid_at, default_flow_id)
            VALUES (@Id, @OrganizationId, @Name, @Description, @IsWhatsappEnabled, @PhoneNumberId, @BusinessAccountId,
                @HasAccessToken, @AccessTokenLast4, @HasAppSecret, @AppSecretLast4, @HasVerifyToken, @VerifyTokenLast4,
                @VerifyTokenSha256, @CreatedBy, @CreatedAt, @UpdatedAt, @DeletedAt,
                @CredentialsInvalid, @CredentialsInvalidReason, @CredentialsInvalidAt, @DefaultFlowId)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                is_whatsapp_enabled = excluded.is_whatsapp_enabled, whatsapp_phone_number_id = excluded.whatsapp_phone_number_id,
                whatsapp_business_account_id = excluded.whatsapp_business_account_id,
                has_whatsapp_access_token = excluded.has_whatsapp_access_token, whatsapp_access_token_last4 = excluded.whatsapp_access_token_last4,
                has_whatsapp_app_secret = excluded.has_whatsapp_app_secret, whatsapp_app_secret_last4 = excluded.whatsapp_app_secret_last4,
                has_whatsapp_webhook_verify_token = excluded.has_whatsapp_webhook_verify_token,
                whatsapp_webhook_verify_token_last4 = excluded.whatsapp_webhook_verify_token_last4,
                whatsapp_webhook_verify_token_sha256 = CASE WHEN @HashesVerifyToken THEN excluded.whatsapp_webhook_verify_token_sha256
                                                            ELSE bots.whatsapp_webhook_verify_token_sha256 END,
                updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                credentials_invalid = excluded.credentials_invalid, credentials_invalid_reason = excluded.credentials_invalid_reason,
                credentials_invalid_at = excluded.credentials_invalid_at, default_flow_id = excluded.default_flow_id
            """,
            new
            {
                Id = botId,
                s.OrganizationId,
                s.Name,
                s.Description,
                s.IsWhatsappEnabled,
                s.PhoneNumberId,
                s.BusinessAccountId,
                HasAccessToken = s.AccessToken is not null,
                AccessTokenLast4 = s.AccessToken?.Last4,
                HasAppSecret = s.AppSecret is not null,
                AppSecretLast4 = s.AppSecret?.Last4,
                HasVerifyToken = s.WebhookVerifyToken is not null,
                VerifyTokenLast4 = s.WebhookVerifyToken?.Last4,
                HashesVerifyToken = secrets is not null,
                VerifyTokenSha256 = s.WebhookVerifyToken is { } token && secrets is not null
                    ? WhatsApp.WebhookSecretQueryGrain.Sha256Hex(secrets.Unprotect(token.Ciphertext))
                    : null,
                s.CreatedBy,
                s.CreatedAt,
                s.UpdatedAt,
                s.DeletedAt,
                s.CredentialsInvalid,
                s.CredentialsInvalidReason,
                s.CredentialsInvalidAt,
                s.DefaultFlowId,
            },
            cancellationToken: cancellationToken));
    }
}
