using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatBoost.UnitTests.Flows.Http;

/// <summary>What <see cref="LocalServer"/> received.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A Kestrel server on 127.0.0.1 and (when the machine has it) [::1], both on the same free port, that records every
/// request it receives before answering it with the given handler.
/// </summary>
public sealed class LocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalServer(WebApplication app, int port, bool hasIPv6)
    {
        _app = app;
        Port = port;
        HasIPv6 = hasIPv6;
    }

    public int Port { get; }

    public bool HasIPv6 { get; }

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public string Url(string path = "/") => $"http://127.0.0.1:{Port}{path}";

    public static async Task<LocalServer> StartAsync(Func<HttpContext, ReceivedRequest, Task> handler)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (port, hasIPv6) = FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(IPAddress.Loopback, port);
                if (hasIPv6)
                {
                    kestrel.Listen(IPAddress.IPv6Loopback, port);
                }
            });
            var app = builder.Build();
            var server = new LocalServer(app, port, hasIPv6);
            app.Run(async context =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                var received = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body);
                server.Received.Enqueue(received);
                await handler(context, received);
            });
            try
            {
                await app.StartAsync();
                return server;
            }
            catch (IOException) when (attempt < 5)
            {
                // Someone took the port between FreePort and the bind: try another.
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>A port that is free on both loopback addresses right now.</summary>
    public static (int Port, bool HasIPv6) FreePort()
    {
        try
        {
            var v6 = new TcpListener(IPAddress.IPv6Loopback, 0);
            v6.Start();
            var port = ((IPEndPoint)v6.LocalEndpoint).Port;
            v6.Stop();
            return (port, true);
        }
        catch (SocketException)
        {
            var v4 = new TcpListener(IPAddress.Loopback, 0);
            v4.Start();
            var port = ((IPEndPoint)v4.LocalEndpoint).Port;
            v4.Stop();
            return (port, false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
