using System.Data.Common;

namespace ChatBoost.Configuration;

/// <summary>
/// Turns the seed's <c>DATABASE_URL</c> into an Npgsql connection string. Accepts a
/// <c>postgresql://user:pass@host:port/db?sslmode=require</c> URL (also <c>postgres://</c>) or an
/// Npgsql connection string as is. Anything else (notably the seed's sqlite URL) is refused with a
/// message that says what to set instead.
/// </summary>
public static class DatabaseUrl
{
    private static readonly Dictionary<string, string> QueryKeyMap = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
    };

    public static string ToNpgsqlConnectionString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length == 0)
        {
            throw new ConfigurationException("DATABASE_URL is empty: set it to postgresql://user:password@host:port/database.");
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            if (text.StartsWith("sqlite", StringComparison.OrdinalIgnoreCase))
            {
                throw SqliteRefused();
            }

            return ValidateConnectionString(text);
        }

        var scheme = text[..schemeEnd].ToLowerInvariant();
        if (scheme.StartsWith("sqlite", StringComparison.Ordinal))
        {
            throw SqliteRefused();
        }

        if (scheme is not ("postgresql" or "postgres" or "postgresql+asyncpg" or "postgresql+psycopg2"))
        {
            throw new ConfigurationException(
                $"DATABASE_URL uses the scheme '{scheme}', which ChatBoost does not support: it needs PostgreSQL (postgresql://user:password@host:port/database).");
        }

        if (!Uri.TryCreate("postgresql" + text[schemeEnd..], UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ConfigurationException("DATABASE_URL is not a valid URL: expected postgresql://user:password@host:port/database.");
        }

        var builder = new DbConnectionStringBuilder
        {
            ["Host"] = uri.Host.Trim('[', ']'),
            ["Port"] = uri.Port > 0 ? uri.Port : 5432,
        };

        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':');
            builder["Username"] = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
            {
                builder["Password"] = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder["Database"] = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var val = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            builder[QueryKeyMap.TryGetValue(key, out var mapped) ? mapped : key] = val;
        }

        return builder.ConnectionString;
    }

    private static string ValidateConnectionString(string text)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            throw new ConfigurationException(
                "DATABASE_URL is neither a postgresql:// URL nor a valid connection string (Host=...;Username=...;Database=...).");
        }

        if (!builder.ContainsKey("Host") && !builder.ContainsKey("Server"))
        {
            throw new ConfigurationException("DATABASE_URL as a connection string must name a Host.");
        }

        return builder.ConnectionString;
    }

    private static ConfigurationException SqliteRefused() => new(
        "DATABASE_URL points at SQLite, which ChatBoost does not support: grain state, reminders and query tables live in PostgreSQL. " +
        "Set DATABASE_URL=postgresql://user:password@host:port/database (scripts/up.sh starts a local PostgreSQL for you).");
}
