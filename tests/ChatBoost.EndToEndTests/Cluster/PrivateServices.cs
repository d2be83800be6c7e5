using System.Diagnostics;
using System.Globalization;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Cluster;

/// <summary>
/// A PostgreSQL or Redis server of one scenario's own, started and stopped with scripts/lib/services.sh (the functions
/// up.sh and test.sh use), so the scenario can restart or stop it without touching the servers other tests share.
/// </summary>
public sealed class PrivateServer : IAsyncDisposable
{
    private readonly string _kind;
    private readonly string _directory;
    private bool _running;

    private PrivateServer(string kind, int port, string directory)
    {
        _kind = kind;
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    /// <summary>PostgreSQL: an Npgsql connection string to the server (superuser, trust); Redis: host:port.</summary>
    public string Address => _kind == "pg"
        ? string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres")
        : string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>A PostgreSQL server in test mode (trust, no fsync), as scripts/test.sh runs it.</summary>
    public static Task<PrivateServer> PostgresAsync() => StartNewAsync("pg");

    /// <summary>A Redis server with an append-only file (persistent, as up.sh and docker-compose run it), or without.</summary>
    public static Task<PrivateServer> RedisAsync(bool persistent = true) => StartNewAsync(persistent ? "redis-app" : "redis-test");

    public async Task StartAsync()
    {
        await ShellAsync(_kind switch
        {
            "pg" => """cb_pg_start "$1/pg" "$2" test "$1/postgres.log" """,
            "redis-app" => """cb_redis_start "$1/redis" "$2" app""",
            _ => """cb_redis_start "$1/redis" "$2" test""",
        });
        _running = true;
    }

    /// <summary>A clean stop: PostgreSQL's fast shutdown (every connection ended), Redis' SHUTDOWN.</summary>
    public async Task StopAsync()
    {
        _running = false;
        await ShellAsync(_kind == "pg" ? """cb_pg_stop "$1/pg" """ : """cb_redis_stop "$1/redis" "$2" """);
    }

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            await StopAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<PrivateServer> StartNewAsync(string kind)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatboost-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var server = new PrivateServer(kind, FreePort.Next(), directory);
        await server.StartAsync();
        return server;
    }

    private async Task ShellAsync(string command)
    {
        var library = Path.Combine(Build.RepositoryRoot, "scripts", "lib", "services.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", $". '{library}'; chmod 755 \"$1\"; {command}", "services", _directory, Port.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{command} failed ({process.ExitCode}): {await output} {await errors}");
    }
}
