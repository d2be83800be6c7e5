using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Platform;

/// <summary>Both processes refuse to start with unsafe or impossible settings, and say why.</summary>
public class StartupRefusalTests
{
    private static readonly Dictionary<string, string?> Base = new()
    {
        ["DATABASE_URL"] = "postgresql://u:p@127.0.0.1:1/db",
        ["REDIS_URL"] = "redis://127.0.0.1:1/0",
    };

    public static TheoryData<string> Processes() => new() { "silo", "api" };

    private static async Task<(int ExitCode, string Output)> RunAsync(string process, Dictionary<string, string?> env)
    {
        await using var child = ChildProcess.Start(process, process == "silo" ? Build.SiloDll : Build.ApiDll, env);
        var code = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, child.Output);
    }

    [Theory]
    [MemberData(nameof(Processes))]
    public async Task ProductionWithoutASecretKeyRefusesToStart(string process)
    {
        var (code, output) = await RunAsync(process, new(Base) { ["ENVIRONMENT"] = "production" });
        Assert.Equal(2, code);
        Assert.Contains("SECRET_KEY is not set", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Processes))]
    public async Task ProductionWithTheExampleSecretKeyRefusesToStart(string process)
    {
        var (code, output) = await RunAsync(process, new(Base) { ["ENVIRONMENT"] = "production", ["SECRET_KEY"] = "your-secret-key-here" });
        Assert.Equal(2, code);
        Assert.Contains("example value", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Processes))]
    public async Task SqliteDatabaseUrlIsRefusedWithAClearMessage(string process)
    {
        var (code, output) = await RunAsync(process, new(Base)
        {
            ["ENVIRONMENT"] = "development",
            ["DATABASE_URL"] = "sqlite+aiosqlite:///./chatboost.db",
        });
        Assert.Equal(2, code);
        Assert.Contains("SQLite", output, StringComparison.Ordinal);
    }

    /// <summary>A production silo does not store the Data Protection key ring in the clear unless told so explicitly.</summary>
    [Fact]
    public async Task ProductionSiloWithoutAKeyRingCertificateRefusesToStart()
    {
        var (code, output) = await RunAsync("silo", new(Base)
        {
            ["ENVIRONMENT"] = "production",
            ["SECRET_KEY"] = "a-production-secret-key-of-more-than-thirty-two-bytes-42",
        });
        Assert.Equal(2, code);
        Assert.Contains("DATA_PROTECTION_CERTIFICATE_PATH is not set", output, StringComparison.Ordinal);
    }
}
