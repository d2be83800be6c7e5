using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// One activation's view of its contact: the rows it loaded (contact, attributes, active execution) and the only way to
/// change them, <see cref="CommitAsync"/>. Memory is replaced by what a commit stored, only after it stored it, so memory
/// never holds anything the rows do not. A fenced commit (another activation committed first) makes the activation
/// unusable: <see cref="Fenced"/> is set and the grain deactivates.
/// </summary>
internal sealed class ContactSession(long botId, string waId, ContactStore store)
{
    private readonly Dictionary<string, StoredAttribute> _attributes = new(StringComparer.Ordinal);

    public long BotId { get; } = botId;

    public string WaId { get; } = waId;

    /// <summary>The contact's row; null until the contact exists (first consumed message, API create, or a started flow).</summary>
    public ContactRecord? Contact { get; private set; }

    public IReadOnlyDictionary<string, StoredAttribute> Attributes => _attributes;

    /// <summary>The active execution; null when there is none.</summary>
    public ExecutionRecord? Execution { get; private set; }

    /// <summary>The newest inbound message's time: it opens WhatsApp's 24-hour customer-service window.</summary>
    public DateTimeOffset? LastInboundAt { get; private set; }

    /// <summary>Another activation committed since this one loaded: nothing more may be written from here.</summary>
    public bool Fenced { get; private set; }

    public async Task<LoadedContact> LoadAsync(CancellationToken cancellationToken)
    {
        var loaded = await store.LoadAsync(BotId, WaId, InboundConsumer.ReadAhead, cancellationToken);
        Contact = loaded.Contact;
        foreach (var (key, attribute) in loaded.Attributes)
        {
            _attributes[key] = attribute;
        }

        Execution = loaded.ActiveExecution;
        LastInboundAt = loaded.LastInboundAt;
        return loaded;
    }

    /// <summary>A newer inbound message than any seen: the window moves.</summary>
    public void SawInbound(DateTimeOffset at)
    {
        if (LastInboundAt is null || at > LastInboundAt)
        {
            LastInboundAt = at;
        }
    }

    /// <summary>The contact as it is, or as it will be inserted by the next commit.</summary>
    public ContactRecord ContactOrNew(long organizationId, DateTimeOffset now) =>
        Contact ?? new ContactRecord { OrganizationId = organizationId, CreatedAt = now, OptedIn = true };

    /// <summary>What the interpreter sees of the contact: as stored, or as <paramref name="about"/> (the row a commit is about
    /// to store, e.g. with the profile name of the message being consumed).</summary>
    public ContactContext Context(ContactRecord? about = null)
    {
        var contact = about ?? Contact;
        return new(WaId, contact?.Name, _attributes.ToDictionary(a => a.Key, a => a.Value.Value, StringComparer.Ordinal))
        {
            FirstName = contact?.FirstName,
            LastName = contact?.LastName,
        };
    }

    /// <summary>Writes <paramref name="changes"/> in one fenced transaction, then takes the stored rows as the new memory.</summary>
    public async Task<CommittedChanges> CommitAsync(ContactChanges changes, CancellationToken cancellationToken = default)
    {
        if (Fenced)
        {
            throw new ContactFencedException($"contact ({BotId}, {WaId}): this activation was fenced off by another one");
        }

        CommittedChanges committed;
        try
        {
            committed = await store.CommitAsync(BotId, WaId, changes, cancellationToken);
        }
        catch (ContactFencedException)
        {
            Fenced = true;
            throw;
        }

        Contact = committed.Contact;
        foreach (var (key, attribute) in changes.UpsertAttributes)
        {
            _attributes[key] = attribute;
        }

        foreach (var key in changes.DeleteAttributes)
        {
            _attributes.Remove(key);
        }

        if (committed.Execution is { } execution)
        {
            Execution = execution.Snapshot.IsActive ? execution : null;
        }

        return committed;
    }

    /// <summary>Makes a past execution (a failed one being retried) the active one, before its first new commit.</summary>
    public void Adopt(ExecutionRecord execution) => Execution = execution;

    /// <summary>Forgets an adopted execution whose first commit failed.</summary>
    public void Forget(ExecutionRecord execution)
    {
        if (ReferenceEquals(Execution, execution))
        {
            Execution = null;
        }
    }
}
