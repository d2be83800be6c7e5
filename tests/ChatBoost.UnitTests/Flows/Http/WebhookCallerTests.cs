using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ChatBoost.Grains.Flows.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.UnitTests.Flows.Http;

/// <summary><see cref="WebhookCaller"/> against real HTTP servers on the loopback interface (no internet needed).</summary>
public sealed class WebhookCallerTests : IDisposable
{
    private const string Secret = "s3cr3t-t0ken-value";
    private readonly RecordingLogger _logger = new();
    private readonly List<WebhookCaller> _callers = [];

    public void Dispose()
    {
        foreach (var caller in _callers)
        {
            caller.Dispose();
        }
    }

    private WebhookCaller Caller(params string[] allowList) => Caller(allowList, maxResponseBytes: 1024);

    private WebhookCaller Caller(string[] allowList, int maxResponseBytes)
    {
        var caller = new WebhookCaller(
            Options.Create(new WebhookCallerOptions { AllowList = allowList, MaxResponseBytes = maxResponseBytes, DefaultTimeout = TimeSpan.FromSeconds(10) }),
            _logger);
        _callers.Add(caller);
        return caller;
    }

    private static WebhookRequest Get(string url, double timeoutSeconds = 10) =>
        new("GET", url, [], null, TimeSpan.FromSeconds(timeoutSeconds));

    private static Task<LocalServer> JsonServer(string json = """{"ok":true}""") => LocalServer.StartAsync(async (context, _) =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    });

    private static string Format(string template, int port) => string.Format(CultureInfo.InvariantCulture, template, port);

    public static TheoryData<string> LoopbackUrls() =>
    [
        "http://127.0.0.1:{0}/hook",
        "http://localhost:{0}/hook",
        "http://[::1]:{0}/hook",
        "http://[::ffff:127.0.0.1]:{0}/hook",
        "http://[::ffff:7f00:1]:{0}/hook",
        "http://0.0.0.0:{0}/hook",
        "http://2130706433:{0}/hook",
        "http://127.1:{0}/hook",
        "http://0x7f000001:{0}/hook",
    ];

    [Theory]
    [MemberData(nameof(LoopbackUrls))]
    public async Task LoopbackInEveryDisguiseIsRefusedWithoutAnAllowList(string template)
    {
        await using var server = await JsonServer();
        var result = await Caller().CallAsync(Get(Format(template, server.Port)), CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(WebhookFailureKind.DestinationRefused, result.Failure);
        Assert.StartsWith("destination refused: ", result.Error, StringComparison.Ordinal);
        Assert.Null(result.StatusCode);
        Assert.Null(result.Body);
        Assert.Empty(server.Received);
    }

    /// <summary>The control for the test above: the same URLs do reach the server once allow-listed.</summary>
    [Theory]
    [MemberData(nameof(LoopbackUrls))]
    public async Task TheSameUrlsReachTheServerWhenAllowListed(string template)
    {
        await using var server = await JsonServer();
        var url = Format(template, server.Port);
        if (!server.HasIPv6 && url.Contains("[::1]", StringComparison.Ordinal))
        {
            return; // No IPv6 loopback on this machine.
        }

        var caller = Caller($"127.0.0.1:{server.Port}", $"[::1]:{server.Port}", $"0.0.0.0:{server.Port}");

        var result = await caller.CallAsync(Get(url), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Single(server.Received);
    }

    [Fact]
    public async Task TheRefusalNamesTheAddressAndWhy()
    {
        await using var server = await JsonServer();
        var caller = Caller();

        var literal = await caller.CallAsync(Get(server.Url()), CancellationToken.None);
        Assert.Equal("destination refused: 127.0.0.1 is a loopback address", literal.Error);

        var named = await caller.CallAsync(Get($"http://localhost:{server.Port}/"), CancellationToken.None);
        Assert.Matches(@"^destination refused: (127\.0\.0\.1|::1) is a loopback address \(resolved from localhost\)$", named.Error);

        var metadata = await caller.CallAsync(Get("http://169.254.169.254/latest/meta-data/"), CancellationToken.None);
        Assert.Equal(WebhookFailureKind.DestinationRefused, metadata.Failure);
        Assert.Equal("destination refused: 169.254.169.254 is the cloud metadata address (link-local)", metadata.Error);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task AnAllowListedPortDoesNotOpenTheOtherPorts()
    {
        await using var allowed = await JsonServer();
        await using var other = await JsonServer();
        var caller = Caller($"127.0.0.1:{allowed.Port}");

        var result = await caller.CallAsync(Get(other.Url()), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.DestinationRefused, result.Failure);
        Assert.Empty(other.Received);
        Assert.True((await caller.CallAsync(Get(allowed.Url()), CancellationToken.None)).IsSuccess);
    }

    [Fact]
    public async Task APostWithJsonAndHeadersReachesTheServerAndTheJsonAnswerIsParsed()
    {
        await using var server = await JsonServer("""{"id": 42, "tags": ["a", "b"], "nested": {"ok": true}}""");
        var request = new WebhookRequest(
            "POST",
            server.Url("/orders?ref=abc"),
            [new("Authorization", "Bearer " + Secret), new("X-Trace", "trace-1")],
            """{"name":"José","qty":2}""",
            TimeSpan.FromSeconds(5));

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(request, CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(200, result.StatusCode);
        Assert.Null(result.Failure);
        Assert.Null(result.Error);
        var body = result.Body!.Value;
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Equal(42, body.GetProperty("id").GetInt32());
        Assert.Equal("b", body.GetProperty("tags")[1].GetString());
        Assert.True(body.GetProperty("nested").GetProperty("ok").GetBoolean());

        var received = Assert.Single(server.Received);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/orders?ref=abc", received.Path);
        Assert.Equal("Bearer " + Secret, received.Headers["Authorization"]);
        Assert.Equal("trace-1", received.Headers["X-Trace"]);
        Assert.Equal("application/json; charset=utf-8", received.Headers["Content-Type"]);
        Assert.Equal(WebhookCaller.DefaultUserAgent, received.Headers["User-Agent"]);
        Assert.Equal("""{"name":"José","qty":2}""", received.Body);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    [InlineData("get")]
    public async Task EveryMethodIsSent(string method)
    {
        await using var server = await JsonServer();
        var result = await Caller($"127.0.0.1:{server.Port}")
            .CallAsync(new WebhookRequest(method, server.Url(), [], null, TimeSpan.Zero), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(method.ToUpperInvariant(), Assert.Single(server.Received).Method);
    }

    [Fact]
    public async Task AGivenContentTypeAndUserAgentReplaceTheDefaults()
    {
        await using var server = await JsonServer();
        var request = new WebhookRequest("POST", server.Url(),
            [new("content-type", "application/vnd.api+json"), new("User-Agent", "MyBot/2")], "{}", TimeSpan.Zero);

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(request, CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        var received = Assert.Single(server.Received);
        Assert.Equal("application/vnd.api+json", received.Headers["Content-Type"]);
        Assert.Equal("MyBot/2", received.Headers["User-Agent"]);
    }

    [Theory]
    [InlineData("text/plain", "thanks, got it", "\"thanks, got it\"")]
    [InlineData("text/plain", "", "\"\"")]
    [InlineData("text/html", "<p>{not json}</p>", "\"\\u003Cp\\u003E{not json}\\u003C/p\\u003E\"")]
    [InlineData("text/plain", "[1, 2, 3]", "[1,2,3]")]
    [InlineData("text/plain", "17.5", "17.5")]
    [InlineData("application/json", "\"just a string\"", "\"just a string\"")]
    [InlineData("application/json", "null", "null")]
    public async Task TheAnswerIsJsonWhenItParsesElseItsText(string contentType, string answer, string expectedJson)
    {
        await using var server = await LocalServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(answer);
        });

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(Get(server.Url()), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(expectedJson, JsonSerializer.Serialize(result.Body!.Value));
    }

    [Fact]
    public async Task NoContentIsTheEmptyString()
    {
        await using var server = await LocalServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        });

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(Get(server.Url()), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(204, result.StatusCode);
        Assert.Equal(JsonValueKind.String, result.Body!.Value.ValueKind);
        Assert.Equal("", result.Body.Value.GetString());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(404)]
    [InlineData(401)]
    public async Task ANon2xxAnswerIsAnHttpStatusFailure(int status)
    {
        await using var server = await LocalServer.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync("""{"error":"boom"}""");
        });

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(Get(server.Url()), CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(WebhookFailureKind.HttpStatus, result.Failure);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal($"HTTP {status} from 127.0.0.1", result.Error);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task RedirectsAreNotFollowedEvenToAnAllowedDestination()
    {
        await using var target = await JsonServer();
        await using var server = await LocalServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = target.Url("/landing");
            return Task.CompletedTask;
        });

        var result = await Caller($"127.0.0.1:{server.Port}", $"127.0.0.1:{target.Port}")
            .CallAsync(Get(server.Url()), CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(WebhookFailureKind.HttpStatus, result.Failure);
        Assert.Equal(302, result.StatusCode);
        Assert.Equal("HTTP 302 from 127.0.0.1: redirects are not followed", result.Error);
        Assert.Single(server.Received);
        Assert.Empty(target.Received);
    }

    [Fact]
    public async Task ASlowAnswerTimesOut()
    {
        await using var server = await LocalServer.StartAsync(async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await context.Response.WriteAsync("late");
        });

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(Get(server.Url(), timeoutSeconds: 1), CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(WebhookFailureKind.Timeout, result.Failure);
        Assert.Equal("timed out after 1 s", result.Error);
    }

    [Fact]
    public async Task ABodyThatStallsHalfwayTimesOut()
    {
        await using var server = await LocalServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("[1,");
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await context.Response.WriteAsync("2]");
        });

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(Get(server.Url(), timeoutSeconds: 1), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.Timeout, result.Failure);
    }

    [Fact]
    public async Task TheCallersCancellationThrows()
    {
        var started = new TaskCompletionSource();
        await using var server = await LocalServer.StartAsync(async (context, _) =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
        });
        using var cancellation = new CancellationTokenSource();

        var call = Caller($"127.0.0.1:{server.Port}").CallAsync(Get(server.Url()), cancellation.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    [InlineData(100_000, false)]
    public async Task TheBodyIsCappedWhileStreaming(int size, bool fits)
    {
        // Chunked, without Content-Length: only counting the bytes read can catch it.
        await using var server = await LocalServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/plain";
            var chunk = Encoding.ASCII.GetBytes(new string('x', 100));
            for (var written = 0; written < size; written += 100)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(100, size - written)));
                await context.Response.Body.FlushAsync();
            }
        });

        var result = await Caller([$"127.0.0.1:{server.Port}"], maxResponseBytes: 1024).CallAsync(Get(server.Url()), CancellationToken.None);

        if (fits)
        {
            Assert.True(result.IsSuccess, result.Error);
            Assert.Equal(size, result.Body!.Value.GetString()!.Length);
        }
        else
        {
            Assert.Equal(WebhookFailureKind.ResponseTooLarge, result.Failure);
            Assert.Equal("the response is larger than 1024 bytes", result.Error);
            Assert.Equal(200, result.StatusCode);
            Assert.Null(result.Body);
        }
    }

    [Fact]
    public async Task ADeclaredContentLengthOverTheCapIsRefusedBeforeReading()
    {
        await using var server = await LocalServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentLength = 10_000_000;
            await context.Response.Body.WriteAsync(new byte[100]);
            await context.Response.Body.FlushAsync();
            // Never sends the rest: a caller that tried to read it would time out instead.
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });

        var result = await Caller([$"127.0.0.1:{server.Port}"], maxResponseBytes: 1024).CallAsync(Get(server.Url(), timeoutSeconds: 20), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.ResponseTooLarge, result.Failure);
        Assert.Equal("the response is larger than 1024 bytes", result.Error);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("ftp://127.0.0.1/file")]
    [InlineData("gopher://127.0.0.1:70/")]
    [InlineData("api.example.com/hook")]
    [InlineData("")]
    public async Task OnlyHttpAndHttpsUrlsAreCalled(string url)
    {
        var result = await Caller("0.0.0.0/0").CallAsync(Get(url), CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(WebhookFailureKind.InvalidUrl, result.Failure);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public async Task UserInformationInTheUrlIsRefused()
    {
        await using var server = await JsonServer();
        var result = await Caller($"127.0.0.1:{server.Port}")
            .CallAsync(Get($"http://admin:{Secret}@127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.InvalidUrl, result.Failure);
        Assert.DoesNotContain(Secret, result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Received);
    }

    [Theory]
    [InlineData("X-Evil", "a\r\nX-Injected: 1")]
    [InlineData("X-Evil", "a\nb")]
    [InlineData("X-Evil", "a\0b")]
    [InlineData("Bad Name", "val-1")]
    [InlineData("X-Evil\r\nX-Injected", "val-1")]
    [InlineData("", "val-1")]
    [InlineData("Host", "internal.example")]
    [InlineData("Content-Length", "0")]
    [InlineData("Transfer-Encoding", "chunked")]
    public async Task UnsafeHeadersAreRefusedAndNothingIsSent(string name, string value)
    {
        await using var server = await JsonServer();
        var request = new WebhookRequest("POST", server.Url(), [new(name, value)], "{}", TimeSpan.Zero);

        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(request, CancellationToken.None);

        Assert.Equal(WebhookFailureKind.InvalidRequest, result.Failure);
        Assert.DoesNotContain(value, result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Received);
    }

    [Theory]
    [InlineData("OPTIONS")]
    [InlineData("CONNECT")]
    [InlineData("TRACE")]
    [InlineData("")]
    public async Task OnlyTheWebhookMethodsAreAllowed(string method)
    {
        await using var server = await JsonServer();
        var result = await Caller($"127.0.0.1:{server.Port}")
            .CallAsync(new WebhookRequest(method, server.Url(), [], null, TimeSpan.Zero), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.InvalidRequest, result.Failure);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task AClosedPortIsANetworkError()
    {
        var (port, _) = LocalServer.FreePort();
        var result = await Caller($"127.0.0.1:{port}").CallAsync(Get($"http://127.0.0.1:{port}/"), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.NetworkError, result.Failure);
        Assert.StartsWith("network error calling 127.0.0.1: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedTlsHandshakeIsANetworkError()
    {
        await using var server = await JsonServer();
        var result = await Caller($"127.0.0.1:{server.Port}").CallAsync(Get($"https://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.NetworkError, result.Failure);
        Assert.StartsWith("network error calling 127.0.0.1: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnresolvableHostIsANetworkError()
    {
        var result = await Caller().CallAsync(Get("http://no-such-host.invalid/"), CancellationToken.None);

        Assert.Equal(WebhookFailureKind.NetworkError, result.Failure);
    }

    [Fact]
    public async Task SecretsInHeadersBodiesAndQueriesAreNeverLogged()
    {
        await using var server = await JsonServer($$"""{"echo":"{{Secret}}"}""");
        var caller = Caller($"127.0.0.1:{server.Port}");
        var post = new WebhookRequest("POST", server.Url($"/hook?key={Secret}"),
            [new("Authorization", $"Bearer {Secret}")], $$"""{"password":"{{Secret}}"}""", TimeSpan.Zero);

        Assert.True((await caller.CallAsync(post, CancellationToken.None)).IsSuccess);
        await caller.CallAsync(post with { Url = $"http://127.0.0.1:1/hook?key={Secret}" }, CancellationToken.None);
        await caller.CallAsync(post with { Headers = [new("X-Key", Secret + "\n")] }, CancellationToken.None);

        Assert.Equal(3, _logger.Entries.Count);
        Assert.All(_logger.Entries, entry =>
        {
            Assert.Contains("POST", entry, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1", entry, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, entry, StringComparison.Ordinal);
        });
    }

    /// <summary>Records each entry's message and every structured value (what a JSON exporter would write).</summary>
    private sealed class RecordingLogger : ILogger<WebhookCaller>
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" | ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : "";
            Entries.Enqueue($"{formatter(state, exception)} || {values} || {exception}");
        }
    }
}
