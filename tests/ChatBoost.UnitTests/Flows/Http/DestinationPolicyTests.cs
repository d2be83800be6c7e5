using System.Net;
using ChatBoost.Grains.Flows.Http;

namespace ChatBoost.UnitTests.Flows.Http;

public class DestinationPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::7f00:1", "loopback")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("::ffff:169.254.169.254", "cloud metadata")]
    [InlineData("169.254.1.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf:ffff::1", "link-local")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.5.4", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("fd00:ec2::254", "unique-local")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("64:ff9b::a9fe:a9fe", "cloud metadata")]
    [InlineData("64:ff9b:1::1", "local-use NAT64")]
    [InlineData("2002:7f00:1::", "loopback")]
    [InlineData("2002:a00:1::1", "private")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.0.8", "IETF")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("2001:db8::1", "documentation")]
    public void NonPublicAddressesAreForbidden(string address, string kind)
    {
        Assert.True(DestinationPolicy.IsForbidden(IPAddress.Parse(address), out var reason));
        Assert.Contains(kind, reason, StringComparison.Ordinal);
        Assert.StartsWith(IPAddress.Parse(address).ToString(), reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:82a::200e")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("192.0.1.1")]
    [InlineData("192.169.0.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("11.0.0.1")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("fbff:ffff::1")]
    public void PublicAddressesAreAllowed(string address)
    {
        Assert.False(DestinationPolicy.IsForbidden(IPAddress.Parse(address), out var reason));
        Assert.Equal("", reason);
    }

    [Fact]
    public void ReasonsAreReadable()
    {
        Assert.True(DestinationPolicy.IsForbidden(IPAddress.Loopback, out var loopback));
        Assert.Equal("127.0.0.1 is a loopback address", loopback);

        Assert.True(DestinationPolicy.IsForbidden(IPAddress.Parse("169.254.169.254"), out var metadata));
        Assert.Equal("169.254.169.254 is the cloud metadata address (link-local)", metadata);

        Assert.True(DestinationPolicy.IsForbidden(IPAddress.Parse("::ffff:10.1.2.3"), out var mapped));
        Assert.Equal("::ffff:10.1.2.3 embeds the IPv4 address 10.1.2.3 (IPv4-mapped), which is a private address", mapped);

        Assert.True(DestinationPolicy.IsForbidden(IPAddress.Parse("2002:7f00:1::"), out var sixToFour));
        Assert.Equal("2002:7f00:1:: embeds the IPv4 address 127.0.0.1 (6to4), which is a loopback address", sixToFour);
    }
}
