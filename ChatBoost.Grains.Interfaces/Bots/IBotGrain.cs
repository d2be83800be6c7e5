using ChatBoost.Grains.Interfaces.Flows;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Interfaces.Bots;

/// <summary>
/// One bot, keyed by the integer id from the <c>bots_id_seq</c> sequence: profile, WhatsApp settings and its
/// secrets (encrypted at rest, never returned). Its state is the write model; the <c>bots</c> table is its
/// projection, and the partial unique index there makes a phone number id belong to at most one live bot.
/// Permissions are checked by the API's organization permission filter before any call; commands take the
/// acting user's id for the record.
/// </summary>
[Alias("chatboost.bots.IBotGrain")]
public interface IBotGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Creates the bot. A new bot has no flows yet, so a non-null <see cref="CreateBotCommand.DefaultFlowId"/> is always
    /// <see cref="CommandStatus.Invalid"/> (field <c>default_flow_id</c>): set it with <see cref="UpdateAsync"/>.
    /// </summary>
    [Alias("Create")]
    Task<CommandResult<BotView>> CreateAsync(CreateBotCommand command);

    /// <summary>The bot, or null when it does not exist or was deleted.</summary>
    [Alias("Get")]
    Task<BotView?> GetAsync();

    /// <summary>The owning organization of a live bot, else null: what the permission filter resolves.</summary>
    [Alias("GetOrganizationId")]
    Task<long?> GetOrganizationIdAsync();

    /// <summary>Whether the bot exists and is not deleted (no new executions start on a deleted bot).</summary>
    [Alias("IsLive")]
    Task<bool> IsLiveAsync();

    /// <summary>
    /// A partial update. A non-null <see cref="UpdateBotCommand.DefaultFlowId"/> must name a live flow of this bot with a
    /// published version, else <see cref="CommandStatus.Invalid"/> with field <c>default_flow_id</c> and nothing changes.
    /// </summary>
    [Alias("Update")]
    Task<CommandResult<BotView>> UpdateAsync(UpdateBotCommand command);

    /// <summary>Soft-deletes the bot and its flows and releases its phone number id. History is kept.</summary>
    [Alias("Delete")]
    Task<CommandResult<bool>> DeleteAsync(long actorUserId);

    /// <summary>
    /// The flow a contact's inbound message starts when no execution is running for that contact: the bot's
    /// <c>default_flow_id</c> while the bot is live and that flow is still live (its latest published version is the one
    /// to start), else null. A deleted flow answers null but stays set. Cheap: the bot's state and one call to the flow
    /// grain, no database access. Read-only, so concurrent calls interleave with each other (never with a command).
    /// </summary>
    [Alias("GetDefaultFlow")]
    [ReadOnly]
    Task<long?> GetDefaultFlowAsync();

    /// <summary>Creates a flow in this bot (at most <c>MaxFlowsPerBot</c> live flows), optionally from template nodes.</summary>
    [Alias("CreateFlow")]
    Task<CommandResult<FlowView>> CreateFlowAsync(CreateFlowCommand command);
}
