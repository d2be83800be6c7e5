namespace ChatBoost.Grains.Interfaces.Contacts;

/// <summary>
/// Reads over the <c>contacts</c> and <c>contact_attributes</c> query tables (which the contact grains write), so that
/// lists and searches never activate a grain per row: a stateless worker on every silo.
/// </summary>
[Alias("chatboost.contacts.IContactQueryGrain")]
public interface IContactQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The contact's grain key and organization, or null when no contact has this id.</summary>
    [Alias("Find")]
    Task<ContactAddress?> FindAsync(long contactId);

    /// <summary>The contact of this bot with this phone, or null.</summary>
    [Alias("FindByPhone")]
    Task<ContactAddress?> FindByPhoneAsync(long botId, string phone);

    /// <summary>Contacts of one organization (optionally of one bot), newest first.</summary>
    [Alias("List")]
    Task<ContactPage> ListAsync(IReadOnlyList<long> organizationIds, long? botId, int limit, int offset);

    /// <summary>
    /// Contacts whose attribute <paramref name="key"/> equals <paramref name="value"/>, compared by the attribute's own
    /// type: a number attribute matches a value that parses to the same number ("25" = "25.0"), a boolean one "true"/"false"
    /// in any case, a json one the same JSON (key order ignored), a string one the exact text.
    /// </summary>
    [Alias("SearchByAttribute")]
    Task<ContactPage> SearchByAttributeAsync(IReadOnlyList<long> organizationIds, long? botId, string key, string value, int limit, int offset);
}
