using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Grains.Interfaces.Notifications;
using Dapper;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Auth;

/// <summary>
/// A user. Its durable state is its row in <c>users</c> (written by the directory at registration, where the
/// unique index on the normalized e-mail decides races); the grain reads it once on activation and serves it
/// from memory. On activation it also makes sure the personal organization exists, which repairs a
/// registration that stopped between the insert and the organization's creation. A deactivation closes the user's
/// notification sockets at once (through the inbox's observers), not at their next check.
/// </summary>
public sealed class UserGrain(Database database, ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private UserView? _user;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (_user is not null)
        {
            await GrainFactory.GetGrain<IOrganizationGrain>(_user.PersonalOrganizationId)
                .EnsurePersonalAsync(_user.Id, PersonalOrganizationName.For(_user));
        }
    }

    public Task<UserView?> GetAsync() => Task.FromResult(_user);

    public async Task<UserView?> ReloadAsync()
    {
        await LoadAsync(CancellationToken.None);
        return _user;
    }

    public async Task<UserView?> SetActiveAsync(bool isActive)
    {
        if (_user is null || _user.IsActive == isActive)
        {
            return _user;
        }

        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            "UPDATE users SET is_active = @IsActive, updated_at = now() WHERE id = @Id",
            new { IsActive = isActive, _user.Id });
        _user = _user with { IsActive = isActive };
        if (!isActive)
        {
            try
            {
                await GrainFactory.GetGrain<INotificationInboxGrain>(_user.Id).RevokeAsync(null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The sockets' own periodic check (NOTIFICATION_RESUBSCRIBE_SECONDS) still closes them.
                logger.LogWarning(e, "User {UserId} is deactivated, but their open notification sockets could not be told at once.", _user.Id);
            }
        }

        return _user;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserRow.Columns} FROM users WHERE id = @Id",
            new { Id = this.GetPrimaryKeyLong() },
            cancellationToken: cancellationToken));
        _user = row?.ToView();
    }
}
