using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Platform;

/// <summary>
/// A generated client as a real consumer of the contract: Kiota (the version in .config/dotnet-tools.json) generates a
/// C# client from the document the running API serves, tests/ChatBoost.ClientWalkThrough is compiled against it and
/// runs the README's walk-through through it against the real processes; what it reports is then read back from the
/// API directly. A contract change that breaks generated clients (an undeclared parameter, a changed shape, a missing
/// schema) fails the generation, the compilation or the walk-through.
/// </summary>
[Collection(SecondSystemCollection.Name)]
public class GeneratedClientTests(SharedSystemFixture fixture)
{
    private const string ResultPrefix = "walk-through: ";

    private static string Configuration =>
        typeof(GeneratedClientTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    [Fact]
    public async Task TheReadmeWalkThroughRunsThroughAClientGeneratedFromTheServedDocument()
    {
        var system = fixture.System;
        var work = Directory.CreateTempSubdirectory("chatboost-client-");
        try
        {
            var document = Path.Combine(work.FullName, "v1.json");
            await File.WriteAllTextAsync(document, await system.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

            var output = Path.Combine(work.FullName, "bin");
            var project = Path.Combine(Build.RepositoryRoot, "tests", "ChatBoost.ClientWalkThrough", "ChatBoost.ClientWalkThrough.csproj");
            var (built, log) = await RunAsync(
                "dotnet", ["build", project, "-c", Configuration, "-nologo", "-o", output,
                    $"-p:OpenApiDocument={document}", $"-p:KiotaOutput={Path.Combine(work.FullName, "client")}{Path.DirectorySeparatorChar}"],
                TimeSpan.FromMinutes(6));
            Assert.True(built == 0, $"generating and compiling the client failed ({built}):\n{log}");

            var email = UniqueEmail("walk-through");
            await using var walk = ChildProcess.Start(
                "walk-through", Path.Combine(output, "ChatBoost.ClientWalkThrough.dll"), new Dictionary<string, string?>(),
                system.BaseAddress.ToString().TrimEnd('/'), email, DefaultPassword);
            var exit = await walk.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.True(exit == 0, $"the walk-through exited with {exit}:\n{walk.Output}");

            var line = walk.Output.Split('\n').Single(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
            var result = JsonNode.Parse(line[ResultPrefix.Length..])!;
            Assert.Equal("completed", result["status"]!.GetValue<string>());
            Assert.Equal("true", result["attributes"]!["greeted"]!.GetValue<string>());

            // What the client saw is what the API holds.
            var token = await system.Http.LoginAsync(email);
            var (status, execution, _) = await system.Http.GetJsonAsync($"/flows/executions/{result["execution_id"]}", token);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("completed", execution!["status"]!.GetValue<string>());
            Assert.Equal(result["flow_id"]!.GetValue<long>(), execution["flow_id"]!.GetValue<long>());
            Assert.Equal(result["bot_id"]!.GetValue<long>(), execution["bot_id"]!.GetValue<long>());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
