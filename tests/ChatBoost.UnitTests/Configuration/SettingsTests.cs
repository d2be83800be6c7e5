using System.Collections;
using ChatBoost.Configuration;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class SettingsTests
{
    private const string GoodKey = "0123456789abcdef0123456789abcdef-long-enough";

    private static IConfiguration Config(params (string Variable, string Value)[] env)
    {
        var table = new Hashtable();
        foreach (var (variable, value) in env)
        {
            table[variable] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(EnvironmentVariables.Read(table)).Build();
    }

    private static IConfiguration Valid(params (string, string)[] extra) =>
        Config([("DATABASE_URL", "postgresql://u:p@localhost:5432/db"), ("REDIS_URL", "redis://localhost:6379/0"), .. extra]);

    [Theory]
    [InlineData("production", "Production")]
    [InlineData("development", "Development")]
    [InlineData("DEV", "Development")]
    [InlineData("test", "Test")]
    [InlineData("", "Production")]
    public void EnvironmentNameFollowsTheSeedVariable(string value, string expected) =>
        Assert.Equal(expected, EnvironmentVariables.ResolveEnvironmentName(new Hashtable { ["ENVIRONMENT"] = value }));

    [Fact]
    public void EnvironmentDefaultsToProduction() =>
        Assert.Equal("Production", EnvironmentVariables.ResolveEnvironmentName(new Hashtable()));

    [Fact]
    public void SeedVariablesBindToSettings()
    {
        var settings = ChatBoostSettings.Load(
            Valid(("SECRET_KEY", GoodKey), ("ACCESS_TOKEN_EXPIRE_MINUTES", "45"), ("ORLEANS_CLUSTER_ID", "c1"), ("DEBUG", "true")),
            isProduction: true);
        Assert.Equal(45, settings.Auth.AccessTokenExpireMinutes);
        Assert.Equal(GoodKey, settings.Auth.SecretKey);
        Assert.Equal("c1", settings.Cluster.ClusterId);
        Assert.True(settings.Debug);
        Assert.Contains("Host=localhost", settings.DatabaseConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void PoolSizesBindFromTheirVariablesAndDefaultWhenUnset()
    {
        var settings = ChatBoostSettings.Load(Valid(("DATABASE_POOL_SIZE", "24"), ("DATABASE_ORLEANS_POOL_SIZE", "6")), isProduction: false);
        Assert.Equal(24, settings.DatabasePoolSize);
        Assert.Equal(6, settings.DatabaseOrleansPoolSize);

        var defaults = ChatBoostSettings.Load(Valid(), isProduction: false);
        Assert.Equal(new DatabaseOptions().PoolSize, defaults.DatabasePoolSize);
        Assert.Equal(new DatabaseOptions().OrleansPoolSize, defaults.DatabaseOrleansPoolSize);
    }

    [Theory]
    [InlineData("DATABASE_POOL_SIZE", "1")]
    [InlineData("DATABASE_POOL_SIZE", "1001")]
    [InlineData("DATABASE_ORLEANS_POOL_SIZE", "0")]
    [InlineData("DATABASE_ORLEANS_POOL_SIZE", "many")]
    public void APoolSizeOutOfRangeOrNotANumberRefusesToStartNamingTheVariable(string variable, string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => ChatBoostSettings.Load(Valid((variable, value)), isProduction: false));
        Assert.Contains(value == "many" ? "'Database' setting" : variable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRedisStartupWaitBindsAndDefaultsToFiveMinutes()
    {
        Assert.Equal(300, ChatBoostSettings.Load(Valid(), isProduction: false).Cluster.RedisStartupWaitSeconds);
        Assert.Equal(0, ChatBoostSettings.Load(Valid(("REDIS_STARTUP_WAIT_SECONDS", "0")), isProduction: false).Cluster.RedisStartupWaitSeconds);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("3601")]
    public void ARedisStartupWaitOutOfRangeRefusesToStart(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => ChatBoostSettings.Load(Valid(("REDIS_STARTUP_WAIT_SECONDS", value)), isProduction: false));
        Assert.Contains("REDIS_STARTUP_WAIT_SECONDS", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "not set")]
    [InlineData("your-secret-key-here", "example value")]
    [InlineData("short-key", "shorter than 32 bytes")]
    public void ProductionRefusesWeakSecretKeys(string? key, string expected)
    {
        var config = key is null ? Valid() : Valid(("SECRET_KEY", key));
        var e = Assert.Throws<ConfigurationException>(() => ChatBoostSettings.Load(config, isProduction: true));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        if (key is not null)
        {
            Assert.DoesNotContain(key, e.Message.Replace("SECRET_KEY", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DevelopmentAllowsAMissingKeyButNotAShortOne()
    {
        Assert.Null(ChatBoostSettings.Load(Valid(), isProduction: false).Auth.SecretKey);
        Assert.Throws<ConfigurationException>(() => ChatBoostSettings.Load(Valid(("SECRET_KEY", "short")), isProduction: false));
    }

    [Fact]
    public void AllProblemsAreReportedAtOnce()
    {
        var e = Assert.Throws<ConfigurationException>(() => ChatBoostSettings.Load(
            Config(("DATABASE_URL", "sqlite:///x.db"), ("ACCESS_TOKEN_EXPIRE_MINUTES", "0")), isProduction: true));
        Assert.Contains("SQLite", e.Message, StringComparison.Ordinal);
        Assert.Contains("REDIS_URL is not set", e.Message, StringComparison.Ordinal);
        Assert.Contains("SECRET_KEY is not set", e.Message, StringComparison.Ordinal);
        Assert.Contains("ACCESS_TOKEN_EXPIRE_MINUTES", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonNumericSettingIsAProblemNotACrash()
    {
        var e = Assert.Throws<ConfigurationException>(() => ChatBoostSettings.Load(
            Valid(("SECRET_KEY", GoodKey), ("ACCESS_TOKEN_EXPIRE_MINUTES", "thirty")), isProduction: true));
        Assert.Contains("wrong type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdminEmailsAreNormalized()
    {
        var auth = new AuthOptions { AdminEmails = " Root@Example.com, ops@example.com ;" };
        Assert.Equal(["ops@example.com", "root@example.com"], auth.GetAdminEmails().Order());
    }
}
