using System.Globalization;
using System.Text.Json;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Contacts;
using Dapper;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// The SQL of <see cref="IContactQueryGrain"/> over <c>contacts</c> and <c>contact_attributes</c>. Every value is a
/// parameter; the only text chosen at run time is which fixed filters and search branches apply.
/// </summary>
public sealed class ContactQueries(Database database)
{
    public const int MaxLimit = 200;

    private const string Columns =
        """
        c.id AS Id, c.bot_id AS BotId, c.organization_id AS OrganizationId, c.wa_id AS Phone, c.name AS Name, c.opted_in AS OptedIn,
        c.created_at AS CreatedAt, c.updated_at AS UpdatedAt, c.last_inbound_at AS LastInboundAt,
        c.first_name AS FirstName, c.last_name AS LastName, c.username AS Username
        """;

    private const string AddressColumns = "id AS ContactId, bot_id AS BotId, wa_id AS Phone, organization_id AS OrganizationId";

    private const string ScopeFilter = "c.organization_id = ANY(@OrganizationIds)";
    private const string BotFilter = " AND c.bot_id = @BotId";

    // One branch per attribute type, each the predicate of its partial index on (key, typed column); {0}: the parameters' suffix.
    private const string StringBranch =
        "SELECT contact_id FROM contact_attributes WHERE value_type = 'string' AND key = @Key{0} AND value = @Value{0}";

    private const string NumberBranch =
        "SELECT contact_id FROM contact_attributes WHERE value_type = 'number' AND key = @Key{0} AND number_value = @Number{0}";

    private const string BooleanBranch =
        "SELECT contact_id FROM contact_attributes WHERE value_type = 'boolean' AND key = @Key{0} AND boolean_value = @Boolean{0}";

    private const string JsonBranch =
        "SELECT contact_id FROM contact_attributes WHERE value_type = 'json' AND key = @Key{0} AND json_value = @Json{0}::jsonb";

    private static readonly ContactPage Empty = new([], 0);

    public async Task<ContactAddress?> FindAsync(long contactId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ContactAddress>(new CommandDefinition(
            $"SELECT {AddressColumns} FROM contacts WHERE id = @ContactId",
            new { ContactId = contactId },
            cancellationToken: cancellationToken));
    }

    public async Task<ContactAddress?> FindByPhoneAsync(long botId, string phone, CancellationToken cancellationToken = default)
    {
        if (phone is null || !SearchValue.IsStorableText(phone))
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ContactAddress>(new CommandDefinition(
            $"SELECT {AddressColumns} FROM contacts WHERE bot_id = @BotId AND wa_id = @Phone",
            new { BotId = botId, Phone = phone },
            cancellationToken: cancellationToken));
    }

    /// <summary>Contacts of the organizations (optionally of one bot), newest first, without attributes.</summary>
    public Task<ContactPage> ListAsync(
        IReadOnlyList<long>? organizationIds, long? botId, int limit, int offset, CancellationToken cancellationToken = default)
    {
        var where = ScopeFilter + (botId is null ? "" : BotFilter);
        return PageAsync(where, organizationIds, botId, limit, offset, new DynamicParameters(), cancellationToken);
    }

    /// <summary>
    /// Contacts whose attribute <paramref name="key"/> equals <paramref name="value"/> by the attribute's own type (see
    /// <see cref="IContactQueryGrain.SearchByAttributeAsync"/>); a branch whose type the value does not parse as is left out.
    /// </summary>
    public Task<ContactPage> SearchByAttributeAsync(
        IReadOnlyList<long>? organizationIds,
        long? botId,
        string key,
        string value,
        int limit,
        int offset,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!SearchValue.IsStorableText(key) || !SearchValue.IsStorableText(value))
        {
            // PostgreSQL text holds neither NUL nor unpaired surrogates: no stored key or value can equal this one.
            return Task.FromResult(Empty);
        }

        var parameters = new DynamicParameters();
        var where = ScopeFilter + (botId is null ? "" : BotFilter) + " AND " + AttributeMatch(key, value, "", parameters);
        return PageAsync(where, organizationIds, botId, limit, offset, parameters, cancellationToken);
    }

    /// <summary>
    /// The search's typed comparison as a predicate on <c>c.id</c>: the contact's attribute <paramref name="key"/> equals
    /// <paramref name="value"/> by the attribute's own type (a branch whose type the value does not parse as is left out).
    /// Its parameters are added to <paramref name="parameters"/> with <paramref name="suffix"/>, so several can be combined
    /// (a broadcast audience's attributes). The caller has checked both texts with <see cref="SearchValue.IsStorableText"/>.
    /// </summary>
    internal static string AttributeMatch(string key, string value, string suffix, DynamicParameters parameters)
    {
        var search = SearchValue.From(value);
        parameters.Add("Key" + suffix, key);
        parameters.Add("Value" + suffix, value);
        var branches = new List<string>(4) { StringBranch };
        if (search.Number is { } number)
        {
            branches.Add(NumberBranch);
            parameters.Add("Number" + suffix, number);
        }

        if (search.Boolean is { } boolean)
        {
            branches.Add(BooleanBranch);
            parameters.Add("Boolean" + suffix, boolean);
        }

        if (search.Json is { } json)
        {
            branches.Add(JsonBranch);
            parameters.Add("Json" + suffix, json);
        }

        // (contact_id, key) is the primary key, so a contact has at most one row of this key: no duplicates to remove.
        return "c.id IN (" + string.Join(" UNION ALL ", branches.Select(b => string.Format(CultureInfo.InvariantCulture, b, suffix))) + ")";
    }

    private async Task<ContactPage> PageAsync(
        string where,
        IReadOnlyList<long>? organizationIds,
        long? botId,
        int limit,
        int offset,
        DynamicParameters parameters,
        CancellationToken cancellationToken)
    {
        if (organizationIds is null || organizationIds.Count == 0)
        {
            return Empty;
        }

        parameters.Add("OrganizationIds", organizationIds.Distinct().ToArray());
        if (botId is { } bot)
        {
            parameters.Add("BotId", bot);
        }

        parameters.Add("Limit", ClampLimit(limit));
        parameters.Add("Offset", Math.Max(offset, 0));

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT count(*) FROM contacts c WHERE {where};
            SELECT {Columns} FROM contacts c WHERE {where} ORDER BY c.id DESC LIMIT @Limit OFFSET @Offset;
            """,
            parameters,
            cancellationToken: cancellationToken));
        var total = await results.ReadSingleAsync<long>();
        var rows = await results.ReadAsync<ContactRow>();
        return new ContactPage([.. rows.Select(r => r.ToView())], total);
    }

    internal static int ClampLimit(int limit) => Math.Clamp(limit, 1, MaxLimit);

    private sealed record ContactRow(
        long Id,
        long BotId,
        long OrganizationId,
        string Phone,
        string? Name,
        bool OptedIn,
        DateTime CreatedAt,
        DateTime? UpdatedAt,
        DateTime? LastInboundAt,
        string? FirstName,
        string? LastName,
        string? Username)
    {
        public ContactView ToView() => new(
            Id, BotId, OrganizationId, Phone, Name, OptedIn, Utc(CreatedAt), UpdatedAt is { } u ? Utc(u) : null,
            LastInboundAt is { } l ? Utc(l) : null, null, FirstName, LastName, Username);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}

/// <summary>A searched attribute value read as each attribute type; a type it does not parse as is null.</summary>
/// <param name="Number">A finite JSON-style number ("25", "25.0", "-1e3"), trimmed, invariant culture.</param>
/// <param name="Boolean">"true" or "false" in any case, trimmed.</param>
/// <param name="Json">Any JSON text PostgreSQL's jsonb accepts too (no <c>\u0000</c>, no lone surrogate escapes).</param>
internal sealed record SearchValue(double? Number, bool? Boolean, string? Json)
{
    public static SearchValue From(string value)
    {
        var trimmed = value.Trim();
        double? number = SetAttributeParser.IsLiteralOf(trimmed, AttributeValueTypes.Number)
            ? double.Parse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;
        bool? boolean = trimmed.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
            : trimmed.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
            : null;
        return new SearchValue(number, boolean, IsJsonbText(value) ? value : null);
    }

    private static bool IsJsonbText(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            return IsJsonbCompatible(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Whether PostgreSQL text can hold it: no NUL and no unpaired surrogate.</summary>
    public static bool IsStorableText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    // jsonb refuses "\u0000" and unpaired surrogate escapes, which JsonDocument accepts: such a value matches no stored row.
    private static bool IsJsonbCompatible(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => IsStorableText(element.GetString()!),
        JsonValueKind.Array => element.EnumerateArray().All(IsJsonbCompatible),
        JsonValueKind.Object => element.EnumerateObject().All(p => IsStorableText(p.Name) && IsJsonbCompatible(p.Value)),
        _ => true,
    };
}
