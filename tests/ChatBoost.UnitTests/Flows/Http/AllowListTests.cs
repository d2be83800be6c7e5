using System.Net;
using ChatBoost.Grains.Flows.Http;

namespace ChatBoost.UnitTests.Flows.Http;

public class AllowListTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 80, true)]
    [InlineData("127.0.0.1", "127.0.0.1", 5123, true)]
    [InlineData("127.0.0.1", "127.0.0.2", 80, false)]
    [InlineData("127.0.0.1:5123", "127.0.0.1", 5123, true)]
    [InlineData("127.0.0.1:5123", "127.0.0.1", 5124, false)]
    [InlineData("127.0.0.1:5123", "::ffff:127.0.0.1", 5123, true)]
    [InlineData("127.0.0.1:5123", "::1", 5123, false)]
    [InlineData("[::1]", "::1", 443, true)]
    [InlineData("::1", "::1", 443, true)]
    [InlineData("[::1]:5123", "::1", 5123, true)]
    [InlineData("[::1]:5123", "::1", 80, false)]
    [InlineData("[::1]:5123", "127.0.0.1", 5123, false)]
    [InlineData("10.0.0.0/8", "10.20.30.40", 8080, true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", 8080, false)]
    [InlineData("10.0.0.0/8:443", "10.1.1.1", 443, true)]
    [InlineData("10.0.0.0/8:443", "10.1.1.1", 80, false)]
    [InlineData("fd00::/8", "fd00:ec2::254", 80, true)]
    [InlineData("fd00::/8", "fc00::1", 80, false)]
    [InlineData("[fd00::]/8:80", "fd12::1", 80, true)]
    [InlineData("[fd00::]/8:80", "fd12::1", 81, false)]
    [InlineData("0.0.0.0/0", "192.168.1.1", 1, true)]
    [InlineData(" 192.168.1.10:8080 ", "192.168.1.10", 8080, true)]
    public void EntriesMatchAddressAndPort(string entry, string address, int port, bool allowed) =>
        Assert.Equal(allowed, AllowList.Parse([entry]).Allows(IPAddress.Parse(address), port));

    [Fact]
    public void AnyEntryMayAllow()
    {
        var list = AllowList.Parse(["127.0.0.1:5123", "[::1]:5123", "10.0.0.0/8", "", "  "]);
        Assert.Equal(3, list.Count);
        Assert.True(list.Allows(IPAddress.Loopback, 5123));
        Assert.True(list.Allows(IPAddress.IPv6Loopback, 5123));
        Assert.True(list.Allows(IPAddress.Parse("10.9.8.7"), 1));
        Assert.False(list.Allows(IPAddress.Loopback, 5124));
        Assert.False(list.Allows(IPAddress.Parse("169.254.169.254"), 80));
    }

    [Fact]
    public void TheEmptyListAllowsNothing()
    {
        Assert.False(AllowList.Empty.Allows(IPAddress.Loopback, 80));
        Assert.False(AllowList.Parse([]).Allows(IPAddress.Parse("8.8.8.8"), 443));
    }

    [Theory]
    [InlineData("localhost", "host names are not allowed")]
    [InlineData("example.com:443", "host names are not allowed")]
    [InlineData("127.0.0.1:0", "port")]
    [InlineData("127.0.0.1:65536", "port")]
    [InlineData("127.0.0.1:", "port")]
    [InlineData("127.0.0.1:http", "port")]
    [InlineData("127.0.0.1:+80", "port")]
    [InlineData("10.0.0.1/8", "bits set after the prefix")]
    [InlineData("10.0.0.0/33", "prefix length")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("fd00::/129", "prefix length")]
    [InlineData("[::1", "not closed")]
    [InlineData("[::1]x", "':port'")]
    [InlineData("[127.0.0.1]:80", "not an IPv6 address")]
    [InlineData("127.1", "four decimal numbers")]
    [InlineData("2130706433", "four decimal numbers")]
    [InlineData("0x7f.0.0.1", "four decimal numbers")]
    [InlineData("fe80::1%eth0", "scope")]
    [InlineData("::ffff:127.0.0.1", "as the IPv4 address 127.0.0.1")]
    [InlineData("1.2.3.4.5", "not an IP address")]
    public void BadEntriesAreRefusedByName(string entry, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => AllowList.Parse(["127.0.0.1:5123", entry]));
        Assert.Contains($"'{entry}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
