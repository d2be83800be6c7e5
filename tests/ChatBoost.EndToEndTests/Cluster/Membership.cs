using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Cluster;

/// <summary>
/// Reads the cluster's membership table from Redis (the hash <c>{ServiceId}/members/{ClusterId}</c>, one field per silo
/// incarnation) with redis-cli: which silo, by its port, the cluster holds for Active or Dead.
/// </summary>
public sealed class Membership(string redisEndpoint, string serviceId, string clusterId)
{
    public static Membership Of(ChatBoostSystem system, string redisEndpoint)
    {
        var environment = system.Silos[0].Environment;
        return new Membership(redisEndpoint, environment["ORLEANS_SERVICE_ID"]!, environment["ORLEANS_CLUSTER_ID"]!);
    }

    /// <summary>The status of every incarnation of the silo listening on <paramref name="siloPort"/> ("Active", "Dead", …).</summary>
    public async Task<IReadOnlyList<string>> StatusesAsync(int siloPort)
    {
        var statuses = new List<string>();
        foreach (var (field, value) in await ReadAsync())
        {
            if (Regex.IsMatch(field, string.Create(CultureInfo.InvariantCulture, $"(?<![0-9]){siloPort}(?![0-9])")))
            {
                statuses.Add(StatusOf(value));
            }
        }

        return statuses;
    }

    /// <summary>How many incarnations the table holds as Active.</summary>
    public async Task<int> ActiveCountAsync() => (await ReadAsync()).Count(e => StatusOf(e.Value) == "Active");

    /// <summary>Polls until the silo on <paramref name="siloPort"/> is declared dead; the time it took, or null.</summary>
    public async Task<TimeSpan?> TimeUntilDeadAsync(int siloPort, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if ((await StatusesAsync(siloPort)).Contains("Dead"))
            {
                return clock.Elapsed;
            }

            await Task.Delay(100);
        }

        return null;
    }

    public async Task<bool> WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition, int siloPort, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (condition(await StatusesAsync(siloPort)))
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }

    private static string StatusOf(string value)
    {
        try
        {
            // The hash also holds the table's version (not an object): not a silo.
            var status = JsonNode.Parse(value) is JsonObject entry ? entry["Status"] : null;
            return status?.GetValueKind() == System.Text.Json.JsonValueKind.Number
                ? ((int)status).ToString(CultureInfo.InvariantCulture) switch { "3" => "Active", "6" => "Dead", var n => n }
                : status?.GetValue<string>() ?? "?";
        }
        catch (System.Text.Json.JsonException)
        {
            return value.Contains("Dead", StringComparison.Ordinal) ? "Dead" : value.Contains("Active", StringComparison.Ordinal) ? "Active" : "?";
        }
    }

    private async Task<List<(string Field, string Value)>> ReadAsync()
    {
        var (host, port) = (redisEndpoint.Split(':')[0], redisEndpoint.Split(':')[1]);
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", host, "-p", port, "--raw", "HGETALL", $"{serviceId}/members/{clusterId}" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await process.WaitForExitAsync();
        var entries = new List<(string, string)>();
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            entries.Add((lines[i], lines[i + 1]));
        }

        return entries;
    }
}
