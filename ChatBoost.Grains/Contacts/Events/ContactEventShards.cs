namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The contacts are split into <see cref="Count"/> shards by <c>contact_event_shard(bot, wa)</c> (migration 0080). Each
/// shard has one dispatcher grain and one sweeper grain, keyed by the shard number; spread over the silos, they share
/// the work. Changing the count is a migration of that function.
/// </summary>
public static class ContactEventShards
{
    public const int Count = 16;

    public static IEnumerable<int> All => Enumerable.Range(0, Count);
}
