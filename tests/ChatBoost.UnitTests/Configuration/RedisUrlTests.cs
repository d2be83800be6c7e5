using System.Net;
using ChatBoost.Api.Hosting;
using ChatBoost.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class RedisUrlTests
{
    [Fact]
    public void RedisUrlKeepsTheCredentialsOutOfTheConfigurationString()
    {
        var redis = RedisUrl.Parse("redis://:p%40ss@cache:6380/2");

        Assert.Equal("cache:6380,defaultDatabase=2,abortConnect=false", redis.Configuration);
        Assert.Null(redis.User);
        Assert.Equal("p@ss", redis.Password);
    }

    [Fact]
    public void AnAclUserAndPasswordAreBothRead()
    {
        var redis = RedisUrl.Parse("redis://chatboost:s3cret@cache:6379/0");

        Assert.Equal("chatboost", redis.User);
        Assert.Equal("s3cret", redis.Password);
    }

    [Fact]
    public void TlsSchemeTurnsOnSsl()
    {
        var options = ApiHost.RedisClusteringOptions(RedisUrl.Parse("rediss://:pw@cache:6380/0"));

        Assert.True(options.Ssl);
        Assert.Equal("pw", options.Password);
    }

    [Fact]
    public void PlainHostPortPassesThrough() =>
        Assert.Equal("127.0.0.1:56379", RedisUrl.Parse("127.0.0.1:56379").Configuration);

    /// <summary>
    /// A password with the characters StackExchange.Redis' configuration string splits on reaches the client whole,
    /// because it is set as a property; neither the connection nor the client options as Orleans logs them print it.
    /// </summary>
    [Fact]
    public void APasswordWithCommasAndEqualsSignsReachesTheClientWholeAndIsNeverPrinted()
    {
        const string password = "s3,cr=et/with:all@sorts";
        var redis = RedisUrl.Parse("redis://:" + Uri.EscapeDataString(password) + "@cache:6379/0");

        var options = ApiHost.RedisClusteringOptions(redis);

        Assert.Equal(password, options.Password);
        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(("cache", 6379), (endpoint.Host, endpoint.Port));
        Assert.Equal(0, options.DefaultDatabase);
        Assert.DoesNotContain("s3,cr", redis.ToString(), StringComparison.Ordinal);
        Assert.Contains("password=*****", redis.ToString(), StringComparison.Ordinal);
        // What Orleans logs of the clustering options (its RedisClusteringOptions redact them this way).
        Assert.DoesNotContain("s3,cr", options.ToString(includePassword: false), StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedUrlDoesNotRepeatItsPassword()
    {
        var refusal = Assert.Throws<ConfigurationException>(() => RedisUrl.Parse("redis://:hunter2@cache:6379/x"));
        Assert.DoesNotContain("hunter2", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://cache:6379")]
    [InlineData("redis://cache:6379/notanumber")]
    [InlineData(" ")]
    public void BadUrlsAreRefused(string url) =>
        Assert.Throws<ConfigurationException>(() => RedisUrl.Parse(url));
}
