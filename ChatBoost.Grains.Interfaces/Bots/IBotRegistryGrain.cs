namespace ChatBoost.Grains.Interfaces.Bots;

/// <summary>Bot id allocation and lists read from the <c>bots</c> projection table: a stateless worker on every silo.</summary>
[Alias("chatboost.bots.IBotRegistryGrain")]
public interface IBotRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Allocates an id from <c>bots_id_seq</c> and creates the bot.</summary>
    [Alias("Create")]
    Task<CommandResult<BotView>> CreateAsync(CreateBotCommand command);

    /// <summary>Live bots of the organizations the user belongs to (or of one of them), by id.</summary>
    [Alias("List")]
    Task<IReadOnlyList<BotView>> ListAsync(long userId, long? organizationId, int limit, int offset);
}
