using ChatBoost.Grains.Interfaces.Contacts;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts;

/// <inheritdoc cref="IContactGrain"/>
/// <remarks>
/// The grain's durable state is rows, not an Orleans state blob: its <c>contacts</c> row, its <c>contact_attributes</c>
/// and its active <c>flow_executions</c> row, loaded together on activation (<see cref="ContactStore.LoadAsync"/>) and
/// written by this grain only. The partial files resolve their own extra services through
/// <see cref="Grain.ServiceProvider"/>, so that this constructor stays the one place for what every part needs.
/// </remarks>
public sealed partial class ContactGrain(
    ContactStore store,
    TimeProvider time,
    ILogger<ContactGrain> logger) : Grain, IContactGrain
{
    private long BotId => this.GetPrimaryKeyLong(out _);

    private string WaId
    {
        get
        {
            this.GetPrimaryKeyLong(out var waId);
            return waId!;
        }
    }

    /// <summary>The newest inbound message's time: it opens WhatsApp's 24-hour customer-service window.</summary>
    private DateTimeOffset? LastInboundAt { get; set; }

    /// <summary>The contact's row; null until the contact exists (first message, API create, or a started flow).</summary>
    private ContactRecord? _contact;

    private readonly Dictionary<string, StoredAttribute> _attributes = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var loaded = await store.LoadAsync(BotId, WaId, cancellationToken);
        _contact = loaded.Contact;
        foreach (var (key, attribute) in loaded.Attributes)
        {
            _attributes[key] = attribute;
        }

        LastInboundAt = loaded.LastInboundAt;
        await RestoreExecutionAsync(loaded.ActiveExecution);
    }

    public Task<ContactProfile?> GetProfileAsync() =>
        Task.FromResult(_contact is { } c ? new ContactProfile(BotId, WaId, c.Name, c.CreatedAt, LastInboundAt) : null);

    /// <summary>
    /// Makes sure the contact's row exists, and keeps its name (the WhatsApp profile name) and its minute-precise last
    /// inbound time current. Writes only on a change.
    /// </summary>
    private async Task<ContactRecord> EnsureContactAsync(long organizationId, string? profileName)
    {
        if (_contact is null)
        {
            _contact = await store.InsertContactAsync(BotId, organizationId, WaId, profileName, optedIn: true, time.GetUtcNow(), [], default)
                ?? throw new InvalidOperationException($"Contact ({BotId}, {WaId}) exists in the table but was not loaded.");
            _contact.StoredLastInboundAt = null;
        }

        var nameChanged = profileName is not null && profileName != _contact.Name;
        var inboundStale = LastInboundAt is { } last
            && (_contact.StoredLastInboundAt is not { } stored || last - stored >= TimeSpan.FromMinutes(1));
        if (nameChanged || inboundStale)
        {
            _contact.Name = nameChanged ? profileName : _contact.Name;
            _contact.UpdatedAt = nameChanged ? time.GetUtcNow() : _contact.UpdatedAt;
            _contact.StoredLastInboundAt = LastInboundAt;
            await store.UpdateContactAsync(_contact, default);
        }

        return _contact;
    }

    /// <summary>A failed write leaves memory ahead of the rows: the next call must start from the rows again.</summary>
    private void ReloadOnNextCall(Exception e, string what)
    {
        logger.LogError(e, "Contact ({BotId}, {WaId}): {What} failed; the activation is dropped and reloads from the database", BotId, WaId, what);
        DeactivateOnIdle();
    }
}
