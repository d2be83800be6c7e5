using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ChatBoost.Grains.Flows.Http;

/// <summary>
/// A CIDR range compared byte by byte. Unlike <see cref="IPNetwork"/>, an IPv6 range contains the IPv4-mapped IPv6
/// addresses in it (<c>::ffff:0:0/96</c> contains <c>::ffff:127.0.0.1</c>), and an address never matches a range of
/// the other family.
/// </summary>
internal readonly struct AddressRange
{
    private readonly byte[] _prefixBytes;

    private AddressRange(byte[] prefixBytes, int prefixLength, AddressFamily family)
    {
        _prefixBytes = prefixBytes;
        PrefixLength = prefixLength;
        Family = family;
    }

    public int PrefixLength { get; }

    public AddressFamily Family { get; }

    /// <summary>A range from a trusted literal such as <c>10.0.0.0/8</c>.</summary>
    public static AddressRange Parse(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        return TryCreate(address, int.Parse(cidr[(slash + 1)..], CultureInfo.InvariantCulture), out var range)
            ? range
            : throw new ArgumentException($"'{cidr}' is not a CIDR range.", nameof(cidr));
    }

    /// <summary>
    /// The range of <paramref name="prefixLength"/> bits starting at <paramref name="address"/>; false when the length
    /// does not fit the family or <paramref name="address"/> has bits set after the prefix.
    /// </summary>
    public static bool TryCreate(IPAddress address, int prefixLength, out AddressRange range)
    {
        range = default;
        var bytes = address.GetAddressBytes();
        if (prefixLength < 0 || prefixLength > bytes.Length * 8)
        {
            return false;
        }

        for (var bit = prefixLength; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return false;
            }
        }

        range = new AddressRange(bytes, prefixLength, address.AddressFamily);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Family)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        var fullBytes = PrefixLength / 8;
        if (!bytes[..fullBytes].SequenceEqual(_prefixBytes.AsSpan(0, fullBytes)))
        {
            return false;
        }

        var restBits = PrefixLength % 8;
        if (restBits == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - restBits));
        return written > fullBytes && (bytes[fullBytes] & mask) == _prefixBytes[fullBytes];
    }

    public override string ToString() => $"{new IPAddress(_prefixBytes)}/{PrefixLength}";
}
