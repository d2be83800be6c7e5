using ChatBoost.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class RedisUrlTests
{
    [Fact]
    public void RedisUrlBecomesStackExchangeConfiguration() =>
        Assert.Equal("cache:6380,password=p@ss,defaultDatabase=2,abortConnect=false", RedisUrl.ToStackExchangeConfiguration("redis://:p%40ss@cache:6380/2"));

    [Fact]
    public void TlsSchemeTurnsOnSsl() =>
        Assert.Contains("ssl=true", RedisUrl.ToStackExchangeConfiguration("rediss://cache:6380/0"), StringComparison.Ordinal);

    [Fact]
    public void PlainHostPortPassesThrough() =>
        Assert.Equal("127.0.0.1:56379", RedisUrl.ToStackExchangeConfiguration("127.0.0.1:56379"));

    [Theory]
    [InlineData("http://cache:6379")]
    [InlineData("redis://cache:6379/notanumber")]
    [InlineData(" ")]
    public void BadUrlsAreRefused(string url) =>
        Assert.Throws<ConfigurationException>(() => RedisUrl.ToStackExchangeConfiguration(url));
}
