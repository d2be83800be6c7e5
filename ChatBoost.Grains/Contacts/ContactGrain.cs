using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Contacts;
using Dapper;

namespace ChatBoost.Grains.Contacts;

/// <inheritdoc cref="IContactGrain"/>
/// <remarks>The partial files resolve their own extra services through <see cref="Grain.ServiceProvider"/>, so
/// that this constructor stays the one place for what every part needs.</remarks>
public sealed partial class ContactGrain(
    [PersistentState("contact", "Default")] IPersistentState<ContactState> state,
    Database database,
    TimeProvider time) : Grain, IContactGrain
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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var last = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            """
            SELECT max(coalesce(wa_timestamp, created_at)) FROM messages
            WHERE bot_id = @BotId AND contact_wa_id = @WaId AND direction = 'inbound'
            """,
            new { BotId, WaId },
            cancellationToken: cancellationToken));
        LastInboundAt = last is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
    }

    public Task<ContactProfile?> GetProfileAsync() =>
        Task.FromResult(state.State.Exists
            ? new ContactProfile(BotId, WaId, state.State.ProfileName, state.State.FirstSeenAt, LastInboundAt)
            : null);

    /// <summary>Records that the contact exists (and its latest profile name), writing state only on a change.</summary>
    private async Task RememberContactAsync(string? profileName)
    {
        var s = state.State;
        var changed = !s.Exists || (profileName is not null && profileName != s.ProfileName);
        if (!changed)
        {
            return;
        }

        if (!s.Exists)
        {
            s.Exists = true;
            s.FirstSeenAt = time.GetUtcNow();
        }

        s.ProfileName = profileName ?? s.ProfileName;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }
}
