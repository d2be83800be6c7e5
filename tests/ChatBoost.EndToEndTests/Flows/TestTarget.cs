using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>One HTTP request a <see cref="TestTarget"/> listener received.</summary>
public sealed record TargetRequest(int Port, string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At);

/// <summary>
/// A small local HTTP server for <c>webhook_action</c> tests, in the test process. Three listeners, every request to any
/// of them recorded with the port it came in on:
/// <list type="bullet">
/// <item><see cref="Port"/> (127.0.0.1, allow-listed for the silo): <c>POST|PUT|PATCH|DELETE /echo</c> answers the received JSON body and the
/// headers of interest; <c>GET /text</c> plain text; <c>GET /redirect</c> a 302 to <see cref="SecretPort"/>;
/// <c>GET /slow</c> answers after 5 s; <c>GET /big</c> 300 KB with a Content-Length, <c>GET /big-chunked</c> 300 KB
/// chunked (no length); <c>/status/{code}</c> answers that status.</item>
/// <item><see cref="SecretPort"/> (127.0.0.1): the redirect's destination. It is allow-listed as well, so that a caller
/// that followed redirects would reach it and the "no hit" assertion can fail.</item>
/// <item><see cref="CanaryPort"/> (127.0.0.1 and, when the machine has it, [::1]): never allow-listed; every loopback
/// spelling the SSRF guard must refuse points here, so a request that slips through is seen.</item>
/// </list>
/// </summary>
public sealed class TestTarget : IAsyncDisposable
{
    public const string TextBody = "plain text from the target";
    public const int BigBytes = 300 * 1024;
    public static readonly TimeSpan SlowDelay = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<TargetRequest> _requests = new();
    private WebApplication? _app;

    private TestTarget(int port, int secretPort, int canaryPort, bool canaryOnIpv6)
    {
        Port = port;
        SecretPort = secretPort;
        CanaryPort = canaryPort;
        CanaryOnIpv6 = canaryOnIpv6;
    }

    public int Port { get; }

    public int SecretPort { get; }

    public int CanaryPort { get; }

    /// <summary>Whether the canary also listens on [::1] (the machine has IPv6 loopback).</summary>
    public bool CanaryOnIpv6 { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<TargetRequest> Requests => [.. _requests];

    public IReadOnlyList<TargetRequest> RequestsOn(int port) => [.. _requests.Where(r => r.Port == port)];

    public static async Task<TestTarget> StartAsync()
    {
        var canaryOnIpv6 = HasIpv6Loopback();
        var target = new TestTarget(FreePort.Next(), FreePort.Next(), FreePort.Next(), canaryOnIpv6);
        await target.StartCoreAsync();
        return target;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task StartCoreAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, Port);
            kestrel.Listen(IPAddress.Loopback, SecretPort);
            kestrel.Listen(IPAddress.Loopback, CanaryPort);
            if (CanaryOnIpv6)
            {
                kestrel.Listen(IPAddress.IPv6Loopback, CanaryPort);
            }
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            string body;
            using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
            {
                body = await reader.ReadToEndAsync(context.RequestAborted);
            }

            context.Request.Body.Position = 0;
            _requests.Enqueue(new TargetRequest(
                context.Connection.LocalPort,
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
                body,
                DateTimeOffset.UtcNow));
            context.Items["body"] = body;
            if (context.Connection.LocalPort != Port)
            {
                // The secret and canary listeners answer anything: the hit is what counts.
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("hit", context.RequestAborted);
                return;
            }

            await next(context);
        });

        app.MapMethods("/echo", ["POST", "PUT", "PATCH", "DELETE"], (HttpContext context) =>
        {
            var raw = (string)context.Items["body"]!;
            JsonNode? received;
            try
            {
                received = raw.Length == 0 ? null : JsonNode.Parse(raw);
            }
            catch (JsonException)
            {
                received = raw;
            }

            var headers = new JsonObject();
            foreach (var name in new[] { "authorization", "content-type", "user-agent", "x-flow-header" })
            {
                headers[name] = context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
            }

            var answer = new JsonObject
            {
                ["method"] = context.Request.Method,
                ["received"] = received,
                ["headers"] = headers,
                ["echoed"] = true,
            };
            return Results.Text(answer.ToJsonString(), "application/json");
        });
        app.MapGet("/text", () => Results.Text(TextBody, "text/plain"));
        app.MapGet("/redirect", () => Results.Redirect($"http://127.0.0.1:{SecretPort}/secret"));
        app.MapGet("/slow", async (HttpContext context) =>
        {
            try
            {
                await Task.Delay(SlowDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty;
            }

            return Results.Text("{\"slow\":true}", "application/json");
        });
        app.MapGet("/big", () => Results.Text(new string('x', BigBytes), "text/plain"));
        app.MapGet("/big-chunked", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            var chunk = Encoding.ASCII.GetBytes(new string('y', 16 * 1024));
            try
            {
                for (var written = 0; written < BigBytes; written += chunk.Length)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The caller gave up (the size cap): nothing more to send.
            }
        });
        app.Map("/status/{code:int}", (int code) => Results.Text($"{{\"status\":{code}}}", "application/json", statusCode: code));

        await app.StartAsync();
        _app = app;
    }

    private static bool HasIpv6Loopback()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new TcpListener(IPAddress.IPv6Loopback, 0);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
