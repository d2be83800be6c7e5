using System.Net;
using System.Net.Sockets;

namespace ChatBoost.Grains.Flows.Http;

/// <summary>
/// The SSRF guard of <see cref="WebhookCaller"/>: which IP addresses a webhook may not connect to (unless
/// <see cref="AllowList"/> permits them). Everything that is not on the public internet is forbidden: loopback,
/// unspecified, private, link-local (cloud metadata), carrier-grade NAT, multicast, broadcast, reserved, IETF,
/// benchmarking and documentation ranges, IPv6 unique-local and site-local. IPv6 addresses that embed an IPv4 address
/// (IPv4-mapped, IPv4-compatible, NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) are judged by the IPv4 address
/// they carry, so <c>::ffff:127.0.0.1</c> is as forbidden as <c>127.0.0.1</c>.
/// </summary>
public static class DestinationPolicy
{
    // First match wins: the specific entries come before the ranges that contain them.
    private static readonly Rule[] V4Rules =
    [
        new("0.0.0.0/8", "an unspecified (\"this network\") address"),
        new("10.0.0.0/8", "a private address"),
        new("100.64.0.0/10", "a carrier-grade NAT (shared) address"),
        new("127.0.0.0/8", "a loopback address"),
        new("169.254.169.254/32", "the cloud metadata address (link-local)"),
        new("169.254.0.0/16", "a link-local address"),
        new("172.16.0.0/12", "a private address"),
        new("192.0.0.0/24", "an IETF protocol assignment address"),
        new("192.0.2.0/24", "a documentation address"),
        new("192.168.0.0/16", "a private address"),
        new("198.18.0.0/15", "a benchmarking address"),
        new("198.51.100.0/24", "a documentation address"),
        new("203.0.113.0/24", "a documentation address"),
        new("224.0.0.0/4", "a multicast address"),
        new("255.255.255.255/32", "the broadcast address"),
        new("240.0.0.0/4", "a reserved address"),
    ];

    private static readonly Rule[] V6Rules =
    [
        new("::/128", "the unspecified address"),
        new("::1/128", "a loopback address"),
        new("64:ff9b:1::/48", "a local-use NAT64 address"),
        new("100::/64", "a discard-only address"),
        new("2001:2::/48", "a benchmarking address"),
        new("2001:db8::/32", "a documentation address"),
        new("3fff::/20", "a documentation address"),
        new("fc00::/7", "a unique-local address"),
        new("fe80::/10", "a link-local address"),
        new("fec0::/10", "a site-local address"),
        new("ff00::/8", "a multicast address"),
    ];

    // IPv6 prefixes that carry an IPv4 address, and where (byte offset) it sits.
    private static readonly (AddressRange Prefix, int Offset, string Kind)[] Embeddings =
    [
        (AddressRange.Parse("::ffff:0:0/96"), 12, "IPv4-mapped"),
        (AddressRange.Parse("::/96"), 12, "IPv4-compatible"),
        (AddressRange.Parse("64:ff9b::/96"), 12, "NAT64"),
        (AddressRange.Parse("2002::/16"), 2, "6to4"),
    ];

    /// <summary>
    /// Whether a webhook may not connect to <paramref name="address"/>; if so <paramref name="reason"/> says why, e.g.
    /// "127.0.0.1 is a loopback address", else it is empty.
    /// </summary>
    public static bool IsForbidden(IPAddress address, out string reason)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsForbiddenV4(address, out reason);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            reason = $"{address} is not an IP address";
            return true;
        }

        // :: and ::1 sit inside the IPv4-compatible prefix but are IPv6 addresses of their own.
        if (Match(V6Rules, address) is { } description)
        {
            reason = $"{address} is {description}";
            return true;
        }

        if (Embedded(address) is var (v4, kind))
        {
            if (IsForbiddenV4(v4, out _))
            {
                reason = $"{address} embeds the IPv4 address {v4} ({kind}), which is {Match(V4Rules, v4)}";
                return true;
            }

            reason = "";
            return false;
        }

        reason = "";
        return false;
    }

    private static bool IsForbiddenV4(IPAddress address, out string reason)
    {
        if (Match(V4Rules, address) is { } description)
        {
            reason = $"{address} is {description}";
            return true;
        }

        reason = "";
        return false;
    }

    private static (IPAddress Address, string Kind)? Embedded(IPAddress address)
    {
        foreach (var (prefix, offset, kind) in Embeddings)
        {
            if (prefix.Contains(address))
            {
                Span<byte> bytes = stackalloc byte[16];
                address.TryWriteBytes(bytes, out _);
                return (new IPAddress(bytes.Slice(offset, 4)), kind);
            }
        }

        return null;
    }

    private static string? Match(Rule[] rules, IPAddress address)
    {
        foreach (var rule in rules)
        {
            if (rule.Network.Contains(address))
            {
                return rule.Description;
            }
        }

        return null;
    }

    private sealed class Rule(string cidr, string description)
    {
        public AddressRange Network { get; } = AddressRange.Parse(cidr);

        public string Description { get; } = description;
    }
}
