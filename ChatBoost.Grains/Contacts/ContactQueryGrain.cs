using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Contacts;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Contacts;

/// <inheritdoc cref="IContactQueryGrain"/>
/// <remarks>
/// Reads only: the contact grains write <c>contacts</c> and <c>contact_attributes</c> (their own durable state), so a
/// stateless worker on every silo answers from those rows. Limits are clamped to 1..<see cref="ContactQueries.MaxLimit"/>
/// and a negative offset is 0, whatever the caller validated.
/// </remarks>
[StatelessWorker]
[Reentrant]
public sealed class ContactQueryGrain(Database database) : Grain, IContactQueryGrain
{
    private readonly ContactQueries _queries = new(database);

    public Task<ContactAddress?> FindAsync(long contactId) => _queries.FindAsync(contactId);

    public Task<ContactAddress?> FindByPhoneAsync(long botId, string phone) => _queries.FindByPhoneAsync(botId, phone);

    public Task<ContactPage> ListAsync(IReadOnlyList<long> organizationIds, long? botId, int limit, int offset) =>
        _queries.ListAsync(organizationIds, botId, limit, offset);

    public Task<ContactPage> SearchByAttributeAsync(
        IReadOnlyList<long> organizationIds, long? botId, string key, string value, int limit, int offset) =>
        _queries.SearchByAttributeAsync(organizationIds, botId, key, value, limit, offset);
}
