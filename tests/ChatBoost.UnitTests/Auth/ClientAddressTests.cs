using System.Net;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Hosting;
using ChatBoost.Configuration;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.UnitTests.Auth;

public class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    public void IPv4IsItselfAndIPv6IsItsSlash64(string address, string key) =>
        Assert.Equal(key, ClientAddress.Key(IPAddress.Parse(address)));

    [Fact]
    public void TrustedProxiesAcceptAddressesAndNetworks()
    {
        var networks = ForwardedHeadersSetup.Parse("10.0.0.0/8, 127.0.0.1 2001:db8::/32;::1");
        Assert.Equal(4, networks.Count);
        Assert.Contains(networks, n => n.Contains(IPAddress.Parse("10.1.2.3")));
        Assert.Contains(networks, n => n.Contains(IPAddress.Parse("127.0.0.1")));
        Assert.DoesNotContain(networks, n => n.Contains(IPAddress.Parse("127.0.0.2")));
        Assert.Contains(networks, n => n.Contains(IPAddress.Parse("2001:db8:ffff::1")));
        Assert.Empty(ForwardedHeadersSetup.Parse(null));
    }

    [Fact]
    public void WithoutTrustedProxiesTheMiddlewareIsNotUsed()
    {
        // Its empty known lists would mean "trust everyone".
        var empty = new ConfigurationBuilder().Build();
        Assert.Null(ForwardedHeadersSetup.Options(empty));
        var configured = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Api:TrustedProxies"] = "10.0.0.1" }).Build();
        Assert.Single(ForwardedHeadersSetup.Options(configured)!.KnownIPNetworks);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("proxy.example.com")]
    public void AMalformedTrustedProxyStopsTheStart(string value) =>
        Assert.Throws<ConfigurationException>(() => ForwardedHeadersSetup.Parse(value));
}
