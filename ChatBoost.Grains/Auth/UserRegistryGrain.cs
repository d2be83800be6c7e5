using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Configuration;
using Dapper;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Auth;

/// <inheritdoc cref="IUserRegistryGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class UserRegistryGrain(Database database) : Grain, IUserRegistryGrain
{
    public async Task<RegistrationResult> RegisterAsync(RegisterUserCommand command)
    {
        // One statement: the unique index on email_normalized makes concurrent registrations of the same
        // address produce exactly one row; the losers get no row back. The personal organization's id is
        // reserved in the same statement so that a retry after a crash finds it.
        const string insert = $"""
            INSERT INTO users (email, email_normalized, full_name, password_hash, personal_organization_id)
            VALUES (@Email, @EmailNormalized, @FullName, @PasswordHash, nextval('organizations_id_seq'))
            ON CONFLICT (email_normalized) DO NOTHING
            RETURNING {UserRow.Columns}
            """;
        var normalized = EmailAddress.Normalize(command.Email);
        UserRow? row;
        UserRow? existing = null;
        await using (var connection = await database.OpenAsync())
        {
            row = await connection.QuerySingleOrDefaultAsync<UserRow>(insert, new
            {
                command.Email,
                EmailNormalized = normalized,
                command.FullName,
                command.PasswordHash,
            });
            if (row is null)
            {
                existing = await connection.QuerySingleOrDefaultAsync<UserRow>(
                    $"SELECT {UserRow.Columns} FROM users WHERE email_normalized = @Email", new { Email = normalized });
            }

            var owner = row ?? existing;
            if (owner is not null && !owner.EmailVerified && command.VerificationTokenSha256 is { } tokenHash)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO email_verification_tokens (token_sha256, user_id, expires_at) VALUES (@Hash, @UserId, @ExpiresAt)",
                    new { Hash = tokenHash, UserId = owner.Id, ExpiresAt = command.VerificationExpiresAt.UtcDateTime });
            }
        }

        var issued = command.VerificationTokenSha256 is not null && (row ?? existing) is { EmailVerified: false };
        if (row is null)
        {
            return new RegistrationResult(RegistrationOutcome.EmailTaken, existing?.ToView(), issued);
        }

        var user = row.ToView();
        await GrainFactory.GetGrain<IOrganizationGrain>(user.PersonalOrganizationId)
            .EnsurePersonalAsync(user.Id, PersonalOrganizationName.For(user));
        return new RegistrationResult(RegistrationOutcome.Created, user, issued);
    }

    public async Task<UserView?> VerifyEmailAsync(string tokenSha256)
    {
        // Using a token deletes it (one use), and marks the address verified, in one statement.
        const string sql = """
            WITH used AS (
                DELETE FROM email_verification_tokens
                WHERE token_sha256 = @Hash
                RETURNING user_id, expires_at
            )
            UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
            FROM used
            WHERE users.id = used.user_id AND used.expires_at > now()
            RETURNING users.id
            """;
        long? userId;
        await using (var connection = await database.OpenAsync())
        {
            userId = await connection.ExecuteScalarAsync<long?>(sql, new { Hash = tokenSha256 });
        }

        return userId is { } id ? await GrainFactory.GetGrain<IUserGrain>(id).ReloadAsync() : null;
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
