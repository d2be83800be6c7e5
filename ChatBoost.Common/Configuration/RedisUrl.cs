namespace ChatBoost.Configuration;

/// <summary>
/// Where Redis is and how to log in to it, read from <c>REDIS_URL</c>. <see cref="Configuration"/> is a
/// StackExchange.Redis configuration string that never holds the credentials: they are kept apart in
/// <see cref="User"/> and <see cref="Password"/> and set on <c>ConfigurationOptions</c> by property, so a password
/// may contain any character (the string form splits on commas) and the string can be logged safely.
/// </summary>
public sealed record RedisConnection(string Configuration, string? User, string? Password)
{
    /// <summary>For hosts that configure no Redis (the grain tests' in-process cluster).</summary>
    public static RedisConnection Unused { get; } = new("unused", null, null);

    /// <summary>Redacted: a record would otherwise print the password wherever the settings are logged.</summary>
    public override string ToString() =>
        Configuration + (User is null ? "" : $",user={User}") + (Password is null ? "" : ",password=*****");
}

/// <summary>
/// Turns the seed's <c>REDIS_URL</c> (<c>redis://[[user]:password@]host:port/db</c>, <c>rediss://</c> for TLS, or
/// StackExchange.Redis' own <c>host:port,options</c> form) into a <see cref="RedisConnection"/>. Error messages
/// never repeat the value: it may hold the password.
/// </summary>
public static class RedisUrl
{
    public static RedisConnection Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length == 0)
        {
            throw new ConfigurationException("REDIS_URL is empty: set it to redis://host:port/0.");
        }

        if (!text.Contains("://", StringComparison.Ordinal))
        {
            // StackExchange.Redis' own form: whatever credentials it holds, it parses itself.
            return new RedisConnection(text, null, null);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            throw new ConfigurationException("REDIS_URL is not a valid redis:// URL: expected redis://[:password@]host:port/0.");
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            // redis://:password@host (Redis' requirepass) or redis://user:password@host (an ACL user); a lone
            // redis://password@host is read as a password, as redis-cli and redis-py do.
            var colon = uri.UserInfo.IndexOf(':');
            var userPart = Uri.UnescapeDataString(colon < 0 ? "" : uri.UserInfo[..colon]);
            var passwordPart = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            user = userPart.Length > 0 ? userPart : null;
            password = passwordPart.Length > 0 ? passwordPart : null;
        }

        var parts = new List<string> { $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}" };
        var db = uri.AbsolutePath.Trim('/');
        if (db.Length > 0)
        {
            if (!int.TryParse(db, out var dbIndex) || dbIndex < 0)
            {
                throw new ConfigurationException("REDIS_URL names a database that is not a number: expected redis://host:port/0.");
            }

            parts.Add($"defaultDatabase={dbIndex}");
        }

        if (uri.Scheme == "rediss")
        {
            parts.Add("ssl=true");
        }

        parts.Add("abortConnect=false");
        return new RedisConnection(string.Join(',', parts), user, password);
    }
}
