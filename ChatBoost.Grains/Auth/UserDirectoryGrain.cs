using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Configuration;
using Dapper;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Auth;

/// <inheritdoc cref="IUserDirectoryGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class UserDirectoryGrain(Database database) : Grain, IUserDirectoryGrain
{
    public async Task<RegistrationResult> RegisterAsync(RegisterUserCommand command)
    {
        // One statement: the unique index on email_normalized makes concurrent registrations of the same
        // address produce exactly one row; the losers get no row back. The personal organization's id is
        // reserved in the same statement so that a retry after a crash finds it.
        const string sql = $"""
            INSERT INTO users (email, email_normalized, full_name, password_hash, personal_organization_id)
            VALUES (@Email, @EmailNormalized, @FullName, @PasswordHash, nextval('organizations_id_seq'))
            ON CONFLICT (email_normalized) DO NOTHING
            RETURNING {UserRow.Columns}
            """;
        UserRow? row;
        await using (var connection = await database.OpenAsync())
        {
            row = await connection.QuerySingleOrDefaultAsync<UserRow>(sql, new
            {
                command.Email,
                EmailNormalized = EmailAddress.Normalize(command.Email),
                command.FullName,
                command.PasswordHash,
            });
        }

        if (row is null)
        {
            return new RegistrationResult(RegistrationOutcome.EmailTaken, null);
        }

        var user = row.ToView();
        await GrainFactory.GetGrain<IOrganizationGrain>(user.PersonalOrganizationId)
            .EnsurePersonalAsync(user.Id, PersonalOrganizationName.For(user));
        return new RegistrationResult(RegistrationOutcome.Created, user);
    }

    public async Task<LoginRecord?> FindLoginAsync(string normalizedEmail)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<LoginRecord>(
            "SELECT id AS UserId, password_hash AS PasswordHash, is_active AS IsActive FROM users WHERE email_normalized = @Email",
            new { Email = normalizedEmail });
    }

    public async Task<long?> FindUserIdAsync(string normalizedEmail)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT id FROM users WHERE email_normalized = @Email", new { Email = normalizedEmail });
    }

    public async Task<UserPage> ListVisibleToAsync(long userId, int limit, int offset)
    {
        // Members of the organizations the caller belongs to (the caller included), deleted organizations aside.
        const string visible = """
            SELECT DISTINCT other.user_id
            FROM organization_members me
            JOIN organizations o ON o.id = me.organization_id AND o.deleted_at IS NULL
            JOIN organization_members other ON other.organization_id = me.organization_id
            WHERE me.user_id = @UserId
            """;
        await using var connection = await database.OpenAsync();
        var total = await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM ({visible}) v", new { UserId = userId });
        var rows = await connection.QueryAsync<UserRow>(
            $"SELECT {UserRow.Columns} FROM users WHERE id IN ({visible}) ORDER BY id LIMIT @Limit OFFSET @Offset",
            new { UserId = userId, Limit = limit, Offset = offset });
        return new UserPage([.. rows.Select(r => r.ToView())], total);
    }

    public async Task<UserPage> ListAllAsync(int limit, int offset)
    {
        await using var connection = await database.OpenAsync();
        var total = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users");
        var rows = await connection.QueryAsync<UserRow>(
            $"SELECT {UserRow.Columns} FROM users ORDER BY id LIMIT @Limit OFFSET @Offset",
            new { Limit = limit, Offset = offset });
        return new UserPage([.. rows.Select(r => r.ToView())], total);
    }
}
