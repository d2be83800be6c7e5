using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace ChatBoost.Bench.Notifications;

/// <summary>
/// The benchmark's users: rows inserted straight into <c>users</c> with a personal organization id from its sequence (the
/// user grain creates the organization on first use; registration's BCrypt would take longer than the run)
/// and access tokens minted with the run's SECRET_KEY, as the API issues them (HS256, issuer and audience, sub).
/// </summary>
public static class BenchUsers
{
    public static async Task<long[]> CreateAsync(string connectionString, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO users (email, email_normalized, password_hash, personal_organization_id)
            SELECT e, e, 'not-a-password-hash', nextval('organizations_id_seq') FROM (SELECT 'bench-' || @run || '-' || g || '@bench.test' AS e FROM generate_series(1, @n) g) s
            RETURNING id
            """,
            connection);
        command.Parameters.AddWithValue("run", Guid.NewGuid().ToString("N")[..8]);
        command.Parameters.AddWithValue("n", count);
        var ids = new List<long>(count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return [.. ids];
    }

    public static string Token(long userId, string secretKey)
    {
        var now = DateTimeOffset.UtcNow;
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new
        {
            sub = userId.ToString(CultureInfo.InvariantCulture),
            iss = "chatboost",
            aud = "chatboost-api",
            iat = now.ToUnixTimeSeconds(),
            nbf = now.ToUnixTimeSeconds(),
            exp = now.AddHours(2).ToUnixTimeSeconds(),
            jti = Guid.NewGuid().ToString("N"),
        }));
        var signature = B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
