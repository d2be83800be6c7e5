using System.Net;
using System.Net.Sockets;

namespace ChatBoost.Api.Auth;

/// <summary>
/// The client a request is throttled as: its IPv4 address, or its IPv6 /64 — one subscriber usually holds a
/// whole /64, so counting single IPv6 addresses would give an attacker 2^64 buckets. The address is the
/// connection's, or the one forwarded by a trusted proxy (see <c>Hosting/ForwardedHeadersSetup</c>).
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => Key(context.Connection.RemoteIpAddress);

    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
