using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Contacts;

namespace ChatBoost.Grains.Contacts;

/// <summary>The contact's profile (names, opt-in) and typed attributes, as the API changes them.</summary>
internal sealed class ProfileCommands(ContactSession session, TimeProvider time)
{
    public const int MaxNameLength = 256;
    public const int MaxPartNameLength = 128;

    public ContactView? Get(bool includeAttributes) => session.Contact is { IsStored: true } ? View(includeAttributes) : null;

    public async Task<CommandResult<ContactView>> CreateAsync(CreateContactCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (session.Contact is { IsStored: true } existing)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Conflict,
                $"A contact with phone {session.WaId} already exists for this bot (id {existing.Id}).", "phone");
        }

        if (NameProblem(command.Name, command.FirstName, command.LastName) is { } nameProblem)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Invalid, nameProblem.Problem, nameProblem.Field);
        }

        var now = time.GetUtcNow();
        var converted = AttributeWrites.Convert(session.Attributes, command.Attributes, now, out var problem, out var field);
        if (converted is null)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Invalid, problem!, field);
        }

        var contact = new ContactRecord
        {
            OrganizationId = command.OrganizationId,
            Name = command.Name ?? JoinName(command.FirstName, command.LastName),
            FirstName = command.FirstName,
            LastName = command.LastName,
            OptedIn = command.OptedIn,
            OptedChangedAt = command.OptedIn ? null : now,
            CreatedAt = now,
        };
        var changes = new ContactChanges(contact);
        changes.UpsertAttributes.AddRange(converted);
        changes.Events.Add(ContactEventFactory.ContactCreated(session.BotId, contact.OrganizationId, session.WaId, now, contact.Name, "api"));
        try
        {
            await session.CommitAsync(changes);
        }
        catch (ContactFencedException)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Conflict, $"A contact with phone {session.WaId} already exists for this bot.", "phone");
        }

        return CommandResult.Ok(View(includeAttributes: true));
    }

    public async Task<CommandResult<ContactView>> UpdateAsync(UpdateContactCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (session.Contact is not { IsStored: true } contact)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.NotFound, "Contact not found.");
        }

        if (NameProblem(command.Name, command.FirstName, command.LastName) is { } nameProblem)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Invalid, nameProblem.Problem, nameProblem.Field);
        }

        var now = time.GetUtcNow();
        var next = contact with
        {
            Name = command.Name ?? contact.Name,
            FirstName = command.FirstName ?? contact.FirstName,
            LastName = command.LastName ?? contact.LastName,
            OptedIn = command.OptedIn ?? contact.OptedIn,
        };
        if (next != contact)
        {
            var optChanged = next.OptedIn != contact.OptedIn;
            var changes = new ContactChanges(next with { UpdatedAt = now, OptedChangedAt = optChanged ? now : contact.OptedChangedAt });
            if (optChanged)
            {
                changes.Events.Add(ContactEventFactory.OptChanged(session.BotId, contact.OrganizationId, session.WaId, next.OptedIn, now, "api"));
            }

            await session.CommitAsync(changes);
        }

        return CommandResult.Ok(View(includeAttributes: false));
    }

    public IReadOnlyList<AttributeView>? GetAttributes() => session.Contact is { IsStored: true } ? AttributeViews() : null;

    public async Task<CommandResult<IReadOnlyList<AttributeView>>> SetAttributesAsync(IReadOnlyList<SetAttributeCommand> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (session.Contact is not { IsStored: true } contact)
        {
            return CommandResult.Fail<IReadOnlyList<AttributeView>>(CommandStatus.NotFound, "Contact not found.");
        }

        var converted = AttributeWrites.Convert(session.Attributes, attributes, time.GetUtcNow(), out var problem, out var field);
        if (converted is null)
        {
            return CommandResult.Fail<IReadOnlyList<AttributeView>>(CommandStatus.Invalid, problem!, field);
        }

        var changes = new ContactChanges(contact);
        changes.UpsertAttributes.AddRange(converted);
        await session.CommitAsync(changes);
        return CommandResult.Ok<IReadOnlyList<AttributeView>>([.. converted.Select(a => AttributeView(a.Key, a.Attribute))]);
    }

    public async Task<CommandResult<bool>> DeleteAttributeAsync(string key)
    {
        if (session.Contact is not { IsStored: true } contact)
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, "Contact not found.");
        }

        if (!session.Attributes.ContainsKey(key))
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, $"The contact has no attribute '{key}'.");
        }

        var changes = new ContactChanges(contact);
        changes.DeleteAttributes.Add(key);
        await session.CommitAsync(changes);
        return CommandResult.Ok(true);
    }

    private static (string Problem, string Field)? NameProblem(string? name, string? firstName, string? lastName)
    {
        if (name is not null && (name.Length > MaxNameLength || name.Any(char.IsControl)))
        {
            return ($"A name is at most {MaxNameLength} characters, without control characters.", "name");
        }

        foreach (var (part, field) in new[] { (firstName, "first_name"), (lastName, "last_name") })
        {
            if (part is not null && (part.Length > MaxPartNameLength || part.Any(char.IsControl)))
            {
                return ($"A {field} is at most {MaxPartNameLength} characters, without control characters.", field);
            }
        }

        return null;
    }

    private static string? JoinName(string? first, string? last) =>
        string.Join(' ', new[] { first, last }.Where(p => !string.IsNullOrWhiteSpace(p))) is { Length: > 0 } joined ? joined : null;

    private ContactView View(bool includeAttributes)
    {
        var c = session.Contact!;
        return new ContactView(c.Id, session.BotId, c.OrganizationId, session.WaId, c.Name, c.OptedIn, c.CreatedAt, c.UpdatedAt,
            session.LastInboundAt, includeAttributes ? AttributeViews() : null, c.FirstName, c.LastName, c.Username);
    }

    private List<AttributeView> AttributeViews() =>
        [.. session.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => AttributeView(a.Key, a.Value))];

    private static AttributeView AttributeView(string key, StoredAttribute a) =>
        new(key, a.Value.Value, a.Value.ValueType, a.CreatedAt, a.UpdatedAt);
}

/// <summary>Attribute writes checked and converted to stored values (pure).</summary>
internal static class AttributeWrites
{
    /// <summary>
    /// Converts attribute writes to stored values, keeping each key's creation time: null (with the problem) when any value
    /// does not convert to its type, a key is malformed or repeated, or the contact would exceed its attribute limit.
    /// </summary>
    public static List<(string Key, StoredAttribute Attribute)>? Convert(
        IReadOnlyDictionary<string, StoredAttribute> existing, IReadOnlyList<SetAttributeCommand> attributes, DateTimeOffset now,
        out string? problem, out string? field)
    {
        problem = null;
        field = null;
        var result = new List<(string, StoredAttribute)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < attributes.Count; i++)
        {
            var a = attributes[i];
            var prefix = attributes.Count == 1 ? "" : $"attributes[{i}].";
            if (!AttributeValues.IsValidKey(a.Key))
            {
                (problem, field) = ("An attribute key is 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', '-'.", prefix + "key");
                return null;
            }

            if (!seen.Add(a.Key))
            {
                (problem, field) = ($"The key '{a.Key}' appears more than once.", prefix + "key");
                return null;
            }

            if (!AttributeValues.TryNormalize(a.ValueType, a.Value, out var value, out var error))
            {
                (problem, field) = (error, prefix + (Flows.Definition.AttributeValueTypes.All.Contains(a.ValueType) ? "value" : "value_type"));
                return null;
            }

            var previous = existing.GetValueOrDefault(a.Key);
            result.Add((a.Key, new StoredAttribute(value!, previous?.CreatedAt ?? now, previous is null ? null : now)));
        }

        var total = existing.Count + seen.Count(k => !existing.ContainsKey(k));
        if (total > AttributeValues.MaxAttributesPerContact)
        {
            (problem, field) = ($"A contact has at most {AttributeValues.MaxAttributesPerContact} attributes; this would make {total}.", "attributes");
            return null;
        }

        return result;
    }
}
