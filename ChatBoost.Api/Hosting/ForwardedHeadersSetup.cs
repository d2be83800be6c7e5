using System.Net;
using ChatBoost.Configuration;
using Microsoft.AspNetCore.HttpOverrides;

namespace ChatBoost.Api.Hosting;

/// <summary>
/// X-Forwarded-For / X-Forwarded-Proto, honoured only from the proxies in <c>TRUSTED_PROXIES</c> (a comma-
/// separated list of addresses or CIDR networks, e.g. <c>10.0.0.0/8, 2001:db8::/32, 127.0.0.1</c>). Empty by
/// default: then nobody's forwarded headers count, not even loopback's, and the client is the connection's
/// peer. Behind a trusted proxy chain the client is the right-most address not in the list.
/// </summary>
public static class ForwardedHeadersSetup
{
    /// <summary>
    /// The middleware's options, or null when no proxy is trusted: then it must not run at all, because
    /// with empty known-proxy and known-network lists the middleware trusts every sender.
    /// </summary>
    public static ForwardedHeadersOptions? Options(IConfiguration configuration)
    {
        var trusted = Parse(configuration["Api:TrustedProxies"]);
        if (trusted.Count == 0)
        {
            return null;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var network in trusted)
        {
            options.KnownIPNetworks.Add(network);
        }

        return options;
    }

    /// <summary>The networks of a TRUSTED_PROXIES value; a bare address is a /32 or /128.</summary>
    public static IReadOnlyList<System.Net.IPNetwork> Parse(string? value)
    {
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in (value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new ConfigurationException($"TRUSTED_PROXIES: '{entry}' is neither an IP address nor a CIDR network (e.g. 10.0.0.0/8).");
            }
        }

        return networks;
    }
}
