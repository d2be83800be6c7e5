using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ChatBoost.Grains.Flows.Http;

/// <summary>
/// Destinations a webhook may reach although <see cref="DestinationPolicy"/> forbids them (e.g. an internal service,
/// or a test server on 127.0.0.1). Entries are addresses, never host names:
/// <list type="bullet">
/// <item><c>IP</c> (<c>127.0.0.1</c>, <c>::1</c>) and <c>[IPv6]</c>: that address, any port;</item>
/// <item><c>IP:port</c> (<c>127.0.0.1:5123</c>) and <c>[IPv6]:port</c> (<c>[::1]:5123</c>): that address and port only;</item>
/// <item><c>CIDR</c> (<c>10.0.0.0/8</c>, <c>fd00::/8</c>, <c>[fd00::]/8</c>): the whole range, any port; an IPv4
/// <c>CIDR:port</c> (<c>10.0.0.0/8:443</c>) or <c>[IPv6]/n:port</c> restricts it to one port.</item>
/// </list>
/// Host names are refused because the guard judges the address that is actually connected to, after resolution: a
/// name in the list would have to be resolved separately from the connection, and whoever controls its DNS could make
/// it resolve to an internal address at the moment of the call (DNS rebinding). An address entry says exactly what
/// may be connected to. IPv4-mapped IPv6 addresses (<c>::ffff:a.b.c.d</c>) are matched as the IPv4 address they carry.
/// </summary>
public sealed class AllowList
{
    private readonly Entry[] _entries;

    private AllowList(Entry[] entries) => _entries = entries;

    /// <summary>The list that permits nothing.</summary>
    public static AllowList Empty { get; } = new([]);

    /// <summary>How many entries the list holds.</summary>
    public int Count => _entries.Length;

    /// <summary>
    /// Parses raw entries (blank ones are skipped; each is trimmed).
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not an address, a range, or has a bad port; the message names it.</exception>
    public static AllowList Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var parsed = new List<Entry>();
        foreach (var raw in entries)
        {
            var entry = raw?.Trim();
            if (!string.IsNullOrEmpty(entry))
            {
                parsed.Add(ParseEntry(entry));
            }
        }

        return new AllowList([.. parsed]);
    }

    /// <summary>Whether some entry permits connecting to <paramref name="address"/> on <paramref name="port"/>.</summary>
    public bool Allows(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var entry in _entries)
        {
            if ((entry.Port is null || entry.Port == port) && entry.Network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static Entry ParseEntry(string entry)
    {
        string addressText;
        string? prefixText = null;
        string? portText = null;
        if (entry.StartsWith('['))
        {
            // [IPv6], [IPv6]:port, [IPv6]/n, [IPv6]/n:port
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Bad(entry, "the '[' is not closed by ']'");
            }

            addressText = entry[1..close];
            var rest = entry[(close + 1)..];
            if (rest.StartsWith('/'))
            {
                var colon = rest.IndexOf(':', StringComparison.Ordinal);
                prefixText = colon < 0 ? rest[1..] : rest[1..colon];
                rest = colon < 0 ? "" : rest[colon..];
            }

            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    throw Bad(entry, "expected ':port' after ']'");
                }

                portText = rest[1..];
            }

            if (!IPAddress.TryParse(addressText, out var inBrackets) || inBrackets.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw Bad(entry, $"'{addressText}' inside brackets is not an IPv6 address");
            }
        }
        else if (entry.Count(c => c == ':') >= 2)
        {
            // A bare IPv6 address or range: no port (it could not be told apart from the address).
            var slash = entry.IndexOf('/', StringComparison.Ordinal);
            addressText = slash < 0 ? entry : entry[..slash];
            prefixText = slash < 0 ? null : entry[(slash + 1)..];
        }
        else
        {
            // IPv4, IPv4:port, IPv4/n, IPv4/n:port
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var hostPart = colon < 0 ? entry : entry[..colon];
            portText = colon < 0 ? null : entry[(colon + 1)..];
            var slash = hostPart.IndexOf('/', StringComparison.Ordinal);
            addressText = slash < 0 ? hostPart : hostPart[..slash];
            prefixText = slash < 0 ? null : hostPart[(slash + 1)..];
        }

        var address = ParseAddress(entry, addressText);
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (prefixText is not null
            && (!IsDigits(prefixText) || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix))
        {
            throw Bad(entry, $"the prefix length must be a number from 0 to {maxPrefix}");
        }

        int? port = null;
        if (portText is not null)
        {
            if (!IsDigits(portText) || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
            {
                throw Bad(entry, "the port must be a number from 1 to 65535");
            }

            port = value;
        }

        if (!AddressRange.TryCreate(address, prefix, out var network))
        {
            throw Bad(entry, $"{address}/{prefix} has bits set after the prefix (write the range's first address, e.g. 10.0.0.0/8)");
        }

        return new Entry(network, port);
    }

    private static IPAddress ParseAddress(string entry, string text)
    {
        if (text.Contains('%', StringComparison.Ordinal))
        {
            throw Bad(entry, "IPv6 scope ids (%) are not supported");
        }

        if (!IPAddress.TryParse(text, out var address))
        {
            throw Bad(entry, text.Any(char.IsLetter)
                ? $"'{text}' is not an IP address; host names are not allowed, because the guard checks the address that is connected to"
                : $"'{text}' is not an IP address");
        }

        // IPAddress also reads "127.1", "2130706433" and octal/hex parts; an allow list should say exactly what it means.
        if (address.AddressFamily == AddressFamily.InterNetwork && address.ToString() != text)
        {
            throw Bad(entry, $"'{text}' must be written as four decimal numbers (a.b.c.d)");
        }

        if (address.IsIPv4MappedToIPv6)
        {
            throw Bad(entry, $"write the IPv4-mapped address '{text}' as the IPv4 address {address.MapToIPv4()}");
        }

        return address;
    }

    private static bool IsDigits(string text) => text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit);

    private static ArgumentException Bad(string entry, string problem) =>
        new($"Bad webhook allow-list entry '{entry}': {problem}. Expected IP, IP:port, [IPv6], [IPv6]:port or CIDR (e.g. 10.0.0.0/8).", "entries");

    private readonly record struct Entry(AddressRange Network, int? Port);
}
