using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Contacts;

namespace ChatBoost.Grains.Contacts;

/// <summary>The contact's profile (name, opt-in) and its typed attributes.</summary>
public sealed partial class ContactGrain
{
    public const int MaxNameLength = 256;

    public Task<ContactView?> GetAsync(bool includeAttributes) =>
        Task.FromResult(_contact is null ? null : View(includeAttributes));

    public async Task<CommandResult<ContactView>> CreateAsync(CreateContactCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_contact is not null)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Conflict,
                $"A contact with phone {WaId} already exists for this bot (id {_contact.Id}).", "phone");
        }

        if (NameProblem(command.Name) is { } nameProblem)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Invalid, nameProblem, "name");
        }

        var now = time.GetUtcNow();
        var converted = ConvertAttributes(command.Attributes, now, out var problem, out var field);
        if (converted is null)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Invalid, problem!, field);
        }

        var created = await store.InsertContactAsync(BotId, command.OrganizationId, WaId, command.Name, command.OptedIn, now, converted, default);
        if (created is null)
        {
            DeactivateOnIdle();
            return CommandResult.Fail<ContactView>(CommandStatus.Conflict, $"A contact with phone {WaId} already exists for this bot.", "phone");
        }

        _contact = created;
        foreach (var (key, attribute) in converted)
        {
            _attributes[key] = attribute;
        }

        return CommandResult.Ok(View(includeAttributes: true));
    }

    public async Task<CommandResult<ContactView>> UpdateAsync(UpdateContactCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_contact is null)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.NotFound, "Contact not found.");
        }

        if (command.Name is not null && NameProblem(command.Name) is { } nameProblem)
        {
            return CommandResult.Fail<ContactView>(CommandStatus.Invalid, nameProblem, "name");
        }

        var now = time.GetUtcNow();
        var name = command.Name ?? _contact.Name;
        var optedIn = command.OptedIn ?? _contact.OptedIn;
        if (name != _contact.Name || optedIn != _contact.OptedIn)
        {
            var previous = (_contact.Name, _contact.OptedIn, _contact.OptedChangedAt, _contact.UpdatedAt);
            _contact.OptedChangedAt = optedIn != _contact.OptedIn ? now : _contact.OptedChangedAt;
            _contact.Name = name;
            _contact.OptedIn = optedIn;
            _contact.UpdatedAt = now;
            try
            {
                await store.UpdateContactAsync(_contact, default);
            }
            catch
            {
                (_contact.Name, _contact.OptedIn, _contact.OptedChangedAt, _contact.UpdatedAt) = previous;
                throw;
            }
        }

        return CommandResult.Ok(View(includeAttributes: false));
    }

    public Task<IReadOnlyList<AttributeView>?> GetAttributesAsync() =>
        Task.FromResult<IReadOnlyList<AttributeView>?>(_contact is null ? null : AttributeViews());

    public async Task<CommandResult<IReadOnlyList<AttributeView>>> SetAttributesAsync(IReadOnlyList<SetAttributeCommand> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (_contact is null)
        {
            return CommandResult.Fail<IReadOnlyList<AttributeView>>(CommandStatus.NotFound, "Contact not found.");
        }

        var converted = ConvertAttributes(attributes, time.GetUtcNow(), out var problem, out var field);
        if (converted is null)
        {
            return CommandResult.Fail<IReadOnlyList<AttributeView>>(CommandStatus.Invalid, problem!, field);
        }

        var changes = new ContactChanges();
        changes.UpsertAttributes.AddRange(converted);
        await store.CommitAsync(BotId, WaId, _contact.Id, changes, default);
        foreach (var (key, attribute) in converted)
        {
            _attributes[key] = attribute;
        }

        return CommandResult.Ok<IReadOnlyList<AttributeView>>([.. converted.Select(a => AttributeView(a.Key, a.Attribute))]);
    }

    public async Task<CommandResult<bool>> DeleteAttributeAsync(string key)
    {
        if (_contact is null)
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, "Contact not found.");
        }

        if (!_attributes.ContainsKey(key))
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, $"The contact has no attribute '{key}'.");
        }

        var changes = new ContactChanges();
        changes.DeleteAttributes.Add(key);
        await store.CommitAsync(BotId, WaId, _contact.Id, changes, default);
        _attributes.Remove(key);
        return CommandResult.Ok(true);
    }

    /// <summary>
    /// Converts attribute writes to stored values, keeping each key's creation time: null (with the problem) when any value
    /// does not convert to its type, a key is malformed or repeated, or the contact would exceed its attribute limit.
    /// </summary>
    private List<(string Key, StoredAttribute Attribute)>? ConvertAttributes(
        IReadOnlyList<SetAttributeCommand> attributes, DateTimeOffset now, out string? problem, out string? field)
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
                (problem, field) = (error, prefix + (AttributeValueTypesContain(a.ValueType) ? "value" : "value_type"));
                return null;
            }

            var createdAt = _attributes.TryGetValue(a.Key, out var existing) ? existing.CreatedAt : now;
            result.Add((a.Key, new StoredAttribute(value!, createdAt, existing is null ? null : now)));
        }

        var total = _attributes.Count + seen.Count(k => !_attributes.ContainsKey(k));
        if (total > AttributeValues.MaxAttributesPerContact)
        {
            (problem, field) = ($"A contact has at most {AttributeValues.MaxAttributesPerContact} attributes; this would make {total}.", "attributes");
            return null;
        }

        return result;
    }

    private static bool AttributeValueTypesContain(string type) => Flows.Definition.AttributeValueTypes.All.Contains(type);

    private static string? NameProblem(string? name) =>
        name is not null && (name.Length > MaxNameLength || name.Any(char.IsControl))
            ? $"A name is at most {MaxNameLength} characters, without control characters."
            : null;

    private ContactView View(bool includeAttributes)
    {
        var c = _contact!;
        return new ContactView(c.Id, BotId, c.OrganizationId, WaId, c.Name, c.OptedIn, c.CreatedAt, c.UpdatedAt, LastInboundAt,
            includeAttributes ? AttributeViews() : null);
    }

    private List<AttributeView> AttributeViews() =>
        [.. _attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => AttributeView(a.Key, a.Value))];

    private static AttributeView AttributeView(string key, StoredAttribute a) =>
        new(key, a.Value.Value, a.Value.ValueType, a.CreatedAt, a.UpdatedAt);
}
