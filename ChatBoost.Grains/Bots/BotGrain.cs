using ChatBoost.Configuration;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Grains.Notifications;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ChatBoost.Grains.Bots;

/// <inheritdoc cref="IBotGrain"/>
public sealed class BotGrain(
    [PersistentState("bot", "Default")] IPersistentState<BotState> state,
    Database database,
    ISecretProtector secrets,
    IConfiguration configuration,
    WhatsAppDefaultCredentialsPolicy defaultCredentials,
    IPhoneNumberProbe phoneNumbers,
    TimeProvider time,
    ILogger<BotGrain> logger) : Grain, IBotGrain, IBotCredentialsGrain
{
    /// <summary>Live flows per bot.</summary>
    public const int MaxFlowsPerBot = 200;

    public const string ResourceKind = "bots";

    /// <summary>The API field a refused default flow is reported on.</summary>
    public const string DefaultFlowField = "default_flow_id";

    private readonly BotProjection _projection = new(database, secrets);
    private readonly PhoneNumberClaimCheck _claims = new(phoneNumbers);

    private long Id => this.GetPrimaryKeyLong();

    private BotState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The projection is idempotent; re-running it repairs one that failed after a state write, and releases a
        // phone number claimed for a change whose state write failed.
        if (S.Exists)
        {
            try
            {
                await _projection.SaveAsync(Id, S, cancellationToken);
            }
            catch (PostgresException e) when (BotProjection.IsPhoneNumberConflict(e))
            {
                logger.LogWarning("Bot {BotId}: its stored phone number id is now claimed by another bot; the projection keeps its previous row.", Id);
            }
        }
    }

    public async Task<CommandResult<BotView>> CreateAsync(CreateBotCommand command)
    {
        if (S.Exists)
        {
            return CommandResult.Fail<BotView>(CommandStatus.Conflict, "Bot already exists.");
        }

        if (command.DefaultFlowId is { } flowId)
        {
            return CommandResult.Fail<BotView>(CommandStatus.Invalid,
                $"Flow {flowId} is not a flow of this bot: a new bot has no flows yet. Create and publish a flow, then set default_flow_id with PUT /bots/{{bot_id}}.",
                DefaultFlowField);
        }

        var organization = GrainFactory.GetGrain<IOrganizationGrain>(command.OrganizationId);
        if (await organization.ReserveResourceAsync(ResourceKind, Id) is { IsOk: false } capped)
        {
            return CommandResult.Fail<BotView>(capped.Status, capped.Detail!);
        }

        var backup = S.Copy();
        S.Exists = true;
        S.OrganizationId = command.OrganizationId;
        S.Name = command.Name;
        S.Description = command.Description;
        S.IsWhatsappEnabled = command.IsWhatsappEnabled;
        S.PhoneNumberId = command.WhatsappPhoneNumberId;
        S.BusinessAccountId = command.WhatsappBusinessAccountId;
        S.AccessToken = Apply(null, command.WhatsappAccessToken);
        S.AppSecret = Apply(null, command.WhatsappAppSecret);
        S.WebhookVerifyToken = Apply(null, command.WhatsappWebhookVerifyToken);
        S.CreatedBy = command.ActorUserId;
        S.CreatedAt = time.GetUtcNow();
        if ((await ProvePhoneNumberAsync(backup, command.WhatsappAccessToken is not null) ?? await ClaimAndSaveAsync(backup)) is { } refused)
        {
            await organization.UnregisterResourceAsync(ResourceKind, Id);
            return refused;
        }

        return CommandResult.Ok(ToView());
    }

    public Task<BotView?> GetAsync() => Task.FromResult(S.IsLive ? ToView() : null);

    public Task<long?> GetOrganizationIdAsync() => Task.FromResult(S.IsLive ? S.OrganizationId : (long?)null);

    public Task<bool> IsLiveAsync() => Task.FromResult(S.IsLive);

    public async Task<long?> GetDefaultFlowAsync()
    {
        if (!S.IsLive || S.DefaultFlowId is not { } flowId)
        {
            return null;
        }

        // A flow's bot never changes and a published version is never withdrawn, so liveness is all that can have
        // changed since the flow was checked on PUT.
        return await GrainFactory.GetGrain<IFlowGrain>(flowId).IsLiveAsync() ? flowId : null;
    }

    public async Task<CommandResult<BotView>> UpdateAsync(UpdateBotCommand command)
    {
        if (!S.IsLive)
        {
            return CommandResult.Fail<BotView>(CommandStatus.NotFound, "Bot not found.");
        }

        // Checked before anything changes; the bot grain is not reentrant, so the setting cannot change meanwhile.
        if (command.DefaultFlowId is { Value: { } flowId } && await CheckDefaultFlowAsync(flowId) is { } invalid)
        {
            return CommandResult.Fail<BotView>(CommandStatus.Invalid, invalid, DefaultFlowField);
        }

        var backup = S.Copy();
        S.Name = command.Name ?? S.Name;
        S.Description = command.Description is { } description ? description.Value : S.Description;
        S.IsWhatsappEnabled = command.IsWhatsappEnabled ?? S.IsWhatsappEnabled;
        S.PhoneNumberId = command.WhatsappPhoneNumberId is { } phone ? phone.Value : S.PhoneNumberId;
        S.BusinessAccountId = command.WhatsappBusinessAccountId is { } account ? account.Value : S.BusinessAccountId;
        S.AccessToken = Apply(S.AccessToken, command.WhatsappAccessToken);
        S.AppSecret = Apply(S.AppSecret, command.WhatsappAppSecret);
        S.WebhookVerifyToken = Apply(S.WebhookVerifyToken, command.WhatsappWebhookVerifyToken);
        S.DefaultFlowId = command.DefaultFlowId is { } defaultFlow ? defaultFlow.Value : S.DefaultFlowId;
        if (command.WhatsappAccessToken is not null)
        {
            // A new (or cleared, falling back to the environment's) access token: let sends try again.
            S.CredentialsInvalid = false;
            S.CredentialsInvalidReason = null;
            S.CredentialsInvalidAt = null;
        }

        S.UpdatedAt = time.GetUtcNow();
        return await ProvePhoneNumberAsync(backup, command.WhatsappAccessToken is not null)
            ?? await ClaimAndSaveAsync(backup)
            ?? CommandResult.Ok(ToView());
    }

    public async Task<CommandResult<bool>> DeleteAsync(long actorUserId)
    {
        if (!S.IsLive)
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, "Bot not found.");
        }

        // Flows first: if this fails half way, the bot is still live and the delete can be retried.
        long[] flowIds;
        await using (var connection = await database.OpenAsync())
        {
            flowIds = [.. await connection.QueryAsync<long>("SELECT id FROM flows WHERE bot_id = @BotId AND deleted_at IS NULL", new { BotId = Id })];
        }

        foreach (var flowId in flowIds)
        {
            await GrainFactory.GetGrain<IFlowGrain>(flowId).DeleteAsync(actorUserId);
        }

        var backup = S.Copy();
        S.DeletedAt = time.GetUtcNow();
        if (await ClaimAndSaveAsync(backup) is { } refused)
        {
            return CommandResult.Fail<bool>(refused.Status, refused.Detail ?? "Refused.");
        }

        await GrainFactory.GetGrain<IOrganizationGrain>(S.OrganizationId).UnregisterResourceAsync(ResourceKind, Id);
        return CommandResult.Ok(true);
    }

    public async Task<CommandResult<FlowView>> CreateFlowAsync(CreateFlowCommand command)
    {
        if (!S.IsLive)
        {
            return CommandResult.Fail<FlowView>(CommandStatus.NotFound, "Bot not found.");
        }

        // Flow creation is serialized here, per bot, so the count cannot race past the limit.
        long flowId;
        await using (var connection = await database.OpenAsync())
        {
            var count = await connection.ExecuteScalarAsync<int>(
                "SELECT count(*)::int FROM flows WHERE bot_id = @BotId AND deleted_at IS NULL", new { BotId = Id });
            if (count >= MaxFlowsPerBot)
            {
                return CommandResult.Fail<FlowView>(CommandStatus.Conflict, $"A bot has at most {MaxFlowsPerBot} flows; delete some first.");
            }

            flowId = await connection.ExecuteScalarAsync<long>("SELECT nextval('flows_id_seq')");
        }

        return await GrainFactory.GetGrain<IFlowGrain>(flowId).CreateAsync(Id, S.OrganizationId, command);
    }

    /// <summary>SILO-INTERNAL (see <see cref="IBotCredentialsGrain"/>): decrypted credentials with environment fallback.</summary>
    public Task<BotCredentials?> GetEffectiveCredentialsAsync()
    {
        if (!S.IsLive)
        {
            return Task.FromResult<BotCredentials?>(null);
        }

        // The operator's number, token and business account serve only organizations WHATSAPP_DEFAULT_CREDENTIALS allows;
        // the app secret is not spending anything (it verifies what Meta signs with the operator's app), so it stays.
        var defaults = Defaults();
        var operatorAccount = defaultCredentials.Allows(S.OrganizationId);
        return Task.FromResult<BotCredentials?>(new BotCredentials(
            Id,
            S.IsWhatsappEnabled,
            S.PhoneNumberId ?? (operatorAccount ? Blank(defaults.PhoneNumberId) : null),
            S.BusinessAccountId ?? (operatorAccount ? Blank(defaults.BusinessAccountId) : null),
            EffectiveAccessToken(defaults),
            Reveal(S.AppSecret) ?? Blank(defaults.AppSecret),
            Reveal(S.WebhookVerifyToken) ?? Blank(defaults.WebhookVerifyToken),
            Blank(defaults.ApiVersion) ?? WhatsAppDefaults.DefaultApiVersion,
            S.AccessToken is not null,
            S.OrganizationId,
            S.CredentialsInvalid,
            S.CredentialsInvalidReason));
    }

    /// <summary>SILO-INTERNAL (see <see cref="IBotCredentialsGrain"/>): Meta rejected the token; stop sending until it is updated.</summary>
    public async Task MarkCredentialsInvalidAsync(string reason)
    {
        if (!S.IsLive || S.CredentialsInvalid)
        {
            return;
        }

        var backup = S.Copy();
        S.CredentialsInvalid = true;
        S.CredentialsInvalidReason = reason.Length > 500 ? reason[..500] : reason;
        S.CredentialsInvalidAt = time.GetUtcNow();
        try
        {
            await state.WriteStateAsync();
            await _projection.SaveAsync(Id, S);
        }
        catch
        {
            state.State = backup;
            DeactivateOnIdle();
            throw;
        }

        await NotifyCredentialsInvalidAsync();
    }

    /// <summary>
    /// Tells the members of the bot's organization who may read it (a <c>bot_credentials_invalid</c> notification) and
    /// logs a warning (the reason is Meta's code and message, never the token). The invalid mark is already saved: a
    /// notification that cannot be delivered is logged, not retried, and does not fail the send that found it.
    /// </summary>
    private async Task NotifyCredentialsInvalidAsync()
    {
        logger.LogWarning(
            "Bot {BotId} (organization {OrganizationId}): Meta rejected the WhatsApp access token ({Reason}); sends are stopped until the access token is updated.",
            Id, S.OrganizationId, S.CredentialsInvalidReason);
        try
        {
            await GrainFactory.GetGrain<INotificationHubGrain>(S.OrganizationId).PublishAsync(
                [BotNotices.CredentialsInvalid(Id, S.Name, S.OrganizationId, S.CredentialsInvalidReason, S.CredentialsInvalidAt ?? time.GetUtcNow())]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Bot {BotId}: the credentials-invalid notification could not be delivered.", Id);
        }
    }

    /// <summary>
    /// Before a number is claimed, the <see cref="PhoneNumberClaimCheck"/> when <see cref="PhoneNumberClaimRules.NeedsProof"/>
    /// says so. A refusal restores the previous state. The grain is not reentrant, so the state cannot change meanwhile.
    /// </summary>
    private async Task<CommandResult<BotView>?> ProvePhoneNumberAsync(BotState backup, bool accessTokenChanged)
    {
        var defaults = Defaults();
        var token = EffectiveAccessToken(defaults);
        if (S.DeletedAt is not null || !PhoneNumberClaimRules.NeedsProof(backup.PhoneNumberId, S.PhoneNumberId, accessTokenChanged, token))
        {
            return null;
        }

        PhoneNumberClaimRefusal? refusal;
        try
        {
            refusal = await _claims.CheckAsync(S.PhoneNumberId!, token, Blank(defaults.PhoneNumberId), Blank(defaults.ApiVersion) ?? WhatsAppDefaults.DefaultApiVersion);
        }
        catch
        {
            state.State = backup;
            throw;
        }

        if (refusal is null)
        {
            return null;
        }

        logger.LogWarning("Bot {BotId} (organization {OrganizationId}): claim of phone number id {PhoneNumberId} refused: {Reason}", Id, S.OrganizationId, S.PhoneNumberId, refusal.Detail);
        state.State = backup;
        return CommandResult.Fail<BotView>(refusal.Status, refusal.Detail, PhoneNumberClaimRules.Field);
    }

    private WhatsAppDefaults Defaults() => configuration.GetSection(WhatsAppDefaults.Section).Get<WhatsAppDefaults>() ?? new WhatsAppDefaults();

    /// <summary>The bot's own token, else the operator's when WHATSAPP_DEFAULT_CREDENTIALS allows this organization.</summary>
    private string? EffectiveAccessToken(WhatsAppDefaults defaults) =>
        Reveal(S.AccessToken) ?? (defaultCredentials.Allows(S.OrganizationId) ? Blank(defaults.AccessToken) : null);

    /// <summary>
    /// Claims the phone number id (the projection row, under the partial unique index) before writing the state,
    /// then writes the state. A claim refused by another live bot restores the previous state and answers 409.
    /// Any other failure drops the activation, whose next activation re-projects the stored state.
    /// </summary>
    private async Task<CommandResult<BotView>?> ClaimAndSaveAsync(BotState backup)
    {
        try
        {
            await _projection.SaveAsync(Id, S);
        }
        catch (PostgresException e) when (BotProjection.IsPhoneNumberConflict(e))
        {
            var number = S.PhoneNumberId;
            state.State = backup;
            return CommandResult.Fail<BotView>(CommandStatus.Conflict, $"The phone number id {number} already belongs to another bot.", "whatsapp_phone_number_id");
        }
        catch
        {
            state.State = backup;
            DeactivateOnIdle();
            throw;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="flowId"/> cannot be the default flow, or null when it can: it must be a live flow of this bot
    /// with a published version. A missing, deleted or other bot's flow gets the same answer, so the message tells
    /// nothing about flows the caller cannot see.
    /// </summary>
    private async Task<string?> CheckDefaultFlowAsync(long flowId)
    {
        var flow = flowId > 0 ? await GrainFactory.GetGrain<IFlowGrain>(flowId).GetAsync() : null;
        if (flow is null || flow.BotId != Id)
        {
            return $"Flow {flowId} is not a flow of this bot (it does not exist, was deleted, or belongs to another bot).";
        }

        return flow.LatestVersion is null
            ? $"Flow {flowId} has no published version yet: publish it (POST /bots/flows/{flowId}/publish) before making it the default flow."
            : null;
    }

    private ProtectedSecret? Apply(ProtectedSecret? current, SecretChange? change) => change switch
    {
        null => current,
        { Value: null } => null,
        { Value: var plaintext } => new ProtectedSecret(secrets.Protect(plaintext), ProtectedSecret.Last4Of(plaintext)),
    };

    private string? Reveal(ProtectedSecret? secret) => secret is null ? null : secrets.Unprotect(secret.Ciphertext);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static SecretSummary Summary(ProtectedSecret? secret) => secret is null ? SecretSummary.None : new SecretSummary(true, secret.Last4);

    private BotView ToView() => new(
        Id, S.OrganizationId, S.Name, S.Description, S.IsWhatsappEnabled, S.PhoneNumberId, S.BusinessAccountId,
        Summary(S.AccessToken), Summary(S.AppSecret), Summary(S.WebhookVerifyToken), S.CreatedBy, S.CreatedAt, S.UpdatedAt,
        S.CredentialsInvalid, S.CredentialsInvalidReason, S.CredentialsInvalidAt, S.DefaultFlowId);
}
