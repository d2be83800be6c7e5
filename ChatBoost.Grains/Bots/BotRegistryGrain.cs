using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Bots;
using Dapper;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Bots;

/// <inheritdoc cref="IBotRegistryGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class BotRegistryGrain(Database database) : Grain, IBotRegistryGrain
{
    public async Task<CommandResult<BotView>> CreateAsync(CreateBotCommand command)
    {
        long id;
        await using (var connection = await database.OpenAsync())
        {
            id = await connection.ExecuteScalarAsync<long>("SELECT nextval('bots_id_seq')");
        }

        return await GrainFactory.GetGrain<IBotGrain>(id).CreateAsync(command);
    }

    public async Task<IReadOnlyList<BotView>> ListAsync(long userId, long? organizationId, int limit, int offset)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<BotRow>(
            """
            SELECT b.id AS Id, b.organization_id AS OrganizationId, b.name AS Name, b.description AS Description,
                   b.is_whatsapp_enabled AS IsWhatsappEnabled, b.whatsapp_phone_number_id AS WhatsappPhoneNumberId,
                   b.whatsapp_business_account_id AS WhatsappBusinessAccountId, b.has_whatsapp_access_token AS HasWhatsappAccessToken,
                   b.whatsapp_access_token_last4 AS WhatsappAccessTokenLast4, b.has_whatsapp_app_secret AS HasWhatsappAppSecret,
                   b.whatsapp_app_secret_last4 AS WhatsappAppSecretLast4, b.has_whatsapp_webhook_verify_token AS HasWhatsappWebhookVerifyToken,
                   b.whatsapp_webhook_verify_token_last4 AS WhatsappWebhookVerifyTokenLast4, b.created_by AS CreatedBy,
                   b.created_at AS CreatedAt, b.updated_at AS UpdatedAt, b.credentials_invalid AS CredentialsInvalid,
                   b.credentials_invalid_reason AS CredentialsInvalidReason, b.credentials_invalid_at AS CredentialsInvalidAt,
                   b.default_flow_id AS DefaultFlowId
            FROM bots b
            JOIN organization_members m ON m.organization_id = b.organization_id AND m.user_id = @UserId
            JOIN organizations o ON o.id = b.organization_id AND o.deleted_at IS NULL
            WHERE b.deleted_at IS NULL AND (@OrganizationId::bigint IS NULL OR b.organization_id = @OrganizationId)
            ORDER BY b.id
            LIMIT @Limit OFFSET @Offset
            """,
            new { UserId = userId, OrganizationId = organizationId, Limit = limit, Offset = offset });
        return [.. rows.Select(r => r.ToView())];
    }

    private sealed record BotRow(
        long Id, long OrganizationId, string Name, string? Description, bool IsWhatsappEnabled, string? WhatsappPhoneNumberId,
        string? WhatsappBusinessAccountId, bool HasWhatsappAccessToken, string? WhatsappAccessTokenLast4, bool HasWhatsappAppSecret,
        string? WhatsappAppSecretLast4, bool HasWhatsappWebhookVerifyToken, string? WhatsappWebhookVerifyTokenLast4, long CreatedBy,
        DateTime CreatedAt, DateTime? UpdatedAt, bool CredentialsInvalid, string? CredentialsInvalidReason, DateTime? CredentialsInvalidAt,
        long? DefaultFlowId)
    {
        public BotView ToView() => new(
            Id, OrganizationId, Name, Description, IsWhatsappEnabled, WhatsappPhoneNumberId, WhatsappBusinessAccountId,
            new SecretSummary(HasWhatsappAccessToken, WhatsappAccessTokenLast4), new SecretSummary(HasWhatsappAppSecret, WhatsappAppSecretLast4),
            new SecretSummary(HasWhatsappWebhookVerifyToken, WhatsappWebhookVerifyTokenLast4), CreatedBy, Utc(CreatedAt), UpdatedAt is { } u ? Utc(u) : null,
            CredentialsInvalid, CredentialsInvalidReason, CredentialsInvalidAt is { } at ? Utc(at) : null, DefaultFlowId);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
