namespace ChatBoost.Configuration;

/// <summary>
/// Turns the seed's <c>REDIS_URL</c> (<c>redis://[:password@]host:port/db</c>, <c>rediss://</c> for TLS, or
/// StackExchange.Redis' own <c>host:port,options</c> form) into a StackExchange.Redis configuration string.
/// </summary>
public static class RedisUrl
{
    public static string ToStackExchangeConfiguration(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length == 0)
        {
            throw new ConfigurationException("REDIS_URL is empty: set it to redis://host:port/0.");
        }

        if (!text.Contains("://", StringComparison.Ordinal))
        {
            return text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            throw new ConfigurationException("REDIS_URL is not a valid redis:// URL: expected redis://host:port/0.");
        }

        var parts = new List<string> { $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}" };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? "" : uri.UserInfo[..colon]);
            var password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            if (user.Length > 0)
            {
                parts.Add($"user={user}");
            }

            if (password.Length > 0)
            {
                parts.Add($"password={password}");
            }
        }

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
        return string.Join(',', parts);
    }
}
