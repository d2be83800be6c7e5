using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatBoost.Grains.WhatsApp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBoost.UnitTests.WhatsApp;

/// <summary>
/// <see cref="WhatsAppCloudClient"/> as registered by <see cref="WhatsAppServices.AddChatBoostWhatsApp"/>, against the
/// fake Graph API in-process (valid tokens token-one and token-two, expired token-old; tiny retry delays).
/// </summary>
public sealed class WhatsAppCloudClientTests(FakeGraphApiFixture fake) : IClassFixture<FakeGraphApiFixture>, IDisposable
{
    private const string Token = "token-one";
    private readonly CapturingLoggerProvider _logs = new();
    private readonly CountingPacer _pacer = new();
    private ServiceProvider? _services;

    public void Dispose() => _services?.Dispose();

    private WhatsAppCloudClient CreateClient(string? baseUrl = null, int maxRetries = 3, string attemptTimeout = "00:00:05")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WhatsApp:ApiBaseUrl"] = baseUrl ?? fake.Client.BaseAddress!.ToString(),
            ["WhatsApp:ApiVersion"] = "v22.0",
            ["WhatsApp:AttemptTimeout"] = attemptTimeout,
            ["WhatsApp:TotalTimeout"] = "00:00:20",
            ["WhatsApp:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WhatsApp:RetryBaseDelay"] = "00:00:00.005",
            ["WhatsApp:RetryMaxDelay"] = "00:00:00.020",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        services.AddSingleton<IWhatsAppSendPacer>(_pacer);
        services.AddChatBoostWhatsApp(configuration);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return _services.GetRequiredService<WhatsAppCloudClient>();
    }

    private static string NewPhoneNumberId() => Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static WhatsAppCredentials Credentials(string phoneNumberId, string token = Token) => new(phoneNumberId, token);

    private async Task PostControlAsync(string path, string json)
    {
        using var response = await fake.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task FailNextAsync(string phoneNumberId, int code, int count = 1, int? httpStatus = null) =>
        PostControlAsync("/_fake/fail-next", new JsonObject
        {
            ["phone_number_id"] = phoneNumberId,
            ["count"] = count,
            ["code"] = code,
            ["http_status"] = httpStatus,
        }.ToJsonString());

    private Task OpenWindowAsync(string phoneNumberId, string waId) =>
        PostControlAsync("/_fake/customer-wrote", $$"""{"phone_number_id":"{{phoneNumberId}}","wa_id":"{{waId}}"}""");

    private async Task<JsonArray> RecordedAsync(string phoneNumberId)
    {
        var body = JsonNode.Parse(await fake.Client.GetStringAsync($"/_fake/requests?phone_number_id={phoneNumberId}"))!;
        return body["requests"]!.AsArray();
    }

    private async Task<int> RecordedCountAsync() =>
        JsonNode.Parse(await fake.Client.GetStringAsync("/_fake/requests?limit=10000"))!["requests"]!.AsArray().Count;

    [Fact]
    public async Task ASuccessfulSendReturnsTheWamidAndTheFakeReceivedTheExactBody()
    {
        var phone = NewPhoneNumberId();
        await OpenWindowAsync(phone, "15550001111");
        var client = CreateClient();
        var message = new OutboundText("15550001111", "Olá! Your order 🍕 is on its way.") { ReplyToWaMessageId = "wamid.previous" };

        var result = await client.SendAsync(Credentials(phone), message);

        Assert.True(result.IsSuccess, result.Failure?.ToString());
        Assert.StartsWith("wamid.", result.WaMessageId);
        Assert.Equal(1, result.Attempts);
        var recorded = Assert.Single(await RecordedAsync(phone));
        // The fake records the body it parsed: field for field what GraphMessageBodies built, accents and emoji included.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(GraphMessageBodies.Build(message)), recorded!["body"]), recorded["body"]!.ToJsonString());
        Assert.Equal($"/v22.0/{phone}/messages", recorded["path"]!.GetValue<string>());
        Assert.True(recorded["authorization"]!["present"]!.GetValue<bool>());
        Assert.Equal(200, recorded["http_status"]!.GetValue<int>());
        Assert.Equal(result.WaMessageId, recorded["response"]!["messages"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(1, _pacer.Slots(phone));
    }

    [Fact]
    public async Task ThroughputErrorsAreRetriedUntilTheSendSucceeds()
    {
        var phone = NewPhoneNumberId();
        await FailNextAsync(phone, 130429, count: 2);
        var client = CreateClient();

        var result = await client.SendAsync(Credentials(phone), new OutboundTemplate("15550002222", "hello_world", "en_US"));

        Assert.True(result.IsSuccess, result.Failure?.ToString());
        Assert.Equal(3, result.Attempts);
        var recorded = await RecordedAsync(phone);
        Assert.Equal([400, 400, 200], recorded.Select(r => r!["http_status"]!.GetValue<int>()));
        Assert.Equal(3, _pacer.Slots(phone)); // every attempt, retries included, took a rate-limit slot
        Assert.Equal(2, _pacer.Pauses(phone)); // and each 130429 paused the whole number
    }

    [Fact]
    public async Task AnHttp500IsRetried()
    {
        var phone = NewPhoneNumberId();
        await FailNextAsync(phone, code: 1, httpStatus: 500); // no known code: classified by the HTTP status
        var client = CreateClient();

        var result = await client.SendAsync(Credentials(phone), new OutboundTemplate("15550003333", "hello_world", "en_US"));

        Assert.True(result.IsSuccess, result.Failure?.ToString());
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, (await RecordedAsync(phone)).Count);
    }

    [Fact]
    public async Task RetryableErrorsThatNeverClearEndAsARetryableFailureAfterMaxRetries()
    {
        var phone = NewPhoneNumberId();
        await FailNextAsync(phone, 131000, count: 10);
        var client = CreateClient(maxRetries: 2);

        var result = await client.SendAsync(Credentials(phone), new OutboundTemplate("15550003334", "hello_world", "en_US"));

        Assert.False(result.IsSuccess);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(GraphErrorKind.RetryableTransient, result.Failure!.Kind);
        Assert.Equal(131000, result.Failure.Code);
        Assert.Equal(500, result.Failure.HttpStatus);
        Assert.True(result.Failure.Retryable);
        Assert.Equal(3, (await RecordedAsync(phone)).Count);
    }

    [Fact]
    public async Task AFreeFormMessageOutsideTheWindowIsNotRetried()
    {
        var phone = NewPhoneNumberId();
        var client = CreateClient();

        var result = await client.SendAsync(Credentials(phone), new OutboundText("15550004444", "hello"));

        Assert.False(result.IsSuccess);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(GraphErrorKind.OutsideCustomerWindow, result.Failure!.Kind);
        Assert.Equal(131047, result.Failure.Code);
        Assert.Equal(400, result.Failure.HttpStatus);
        Assert.False(result.Failure.Retryable);
        Assert.NotNull(result.Failure.Details);
        Assert.Single(await RecordedAsync(phone));
    }

    [Fact]
    public async Task AnUndeliverableRecipientIsNotRetried()
    {
        var phone = NewPhoneNumberId();
        await FailNextAsync(phone, 131026, count: 5);
        var client = CreateClient();

        var result = await client.SendAsync(Credentials(phone), new OutboundTemplate("15550005555", "hello_world", "en_US"));

        Assert.False(result.IsSuccess);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(GraphErrorKind.PermanentRecipient, result.Failure!.Kind);
        Assert.Equal(131026, result.Failure.Code);
        Assert.Single(await RecordedAsync(phone));
    }

    [Fact]
    public async Task AnExpiredTokenIsReportedAfterOneAttemptAndNeverLogged()
    {
        var phone = NewPhoneNumberId();
        var client = CreateClient();

        var result = await client.SendAsync(Credentials(phone, "token-old"), new OutboundTemplate("15550006666", "hello_world", "en_US"));

        Assert.False(result.IsSuccess);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(GraphErrorKind.TokenExpired, result.Failure!.Kind);
        Assert.Equal(190, result.Failure.Code);
        Assert.Equal(401, result.Failure.HttpStatus);
        Assert.False(result.Failure.Retryable);
        Assert.Single(await RecordedAsync(phone));
        Assert.DoesNotContain("token-old", result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("token-old", _logs.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionFailureIsRetriedThenReportedAsRetryable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more: connection refused
        var client = CreateClient(baseUrl: $"http://127.0.0.1:{port}", maxRetries: 2);

        var result = await client.SendAsync(Credentials("123456789012"), new OutboundTemplate("15550007777", "hello_world", "en_US"));

        Assert.False(result.IsSuccess);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(GraphErrorKind.RetryableTransient, result.Failure!.Kind);
        Assert.True(result.Failure.Retryable);
        Assert.DoesNotContain(Token, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStartUpWarmUpReachesTheApiOnce_WithoutATokenAPacingSlotOrASend()
    {
        CreateClient();
        var warmup = Assert.Single(_services!.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<GraphClientWarmup>());
        var before = await RecordedCountAsync();

        await warmup.StartAsync(CancellationToken.None);

        // The fake answers the version root 404: reached, and nothing it records as a request (no send, no token).
        Assert.Contains("Graph API client warmed at start", _logs.AllText(), StringComparison.Ordinal);
        Assert.Contains("(HTTP 404)", _logs.AllText(), StringComparison.Ordinal);
        Assert.Equal(before, await RecordedCountAsync());
        Assert.Equal(0, _pacer.TotalSlots);
    }

    [Fact]
    public async Task AnUnreachableApiAtStartIsLoggedWithinTheBudget_AndDoesNotFailTheStart()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // connection refused
        CreateClient(baseUrl: $"http://127.0.0.1:{port}", maxRetries: 2);
        var warmup = Assert.Single(_services!.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<GraphClientWarmup>());
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await warmup.StartAsync(CancellationToken.None);

        Assert.True(watch.Elapsed < GraphClientWarmup.Budget + TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Contains("Graph API not reached at start", _logs.AllText(), StringComparison.Ordinal);
        Assert.Equal(0, _pacer.TotalSlots);
    }

    [Fact]
    public async Task ATimedOutSendIsInDoubtAndNeverRetried()
    {
        var phone = NewPhoneNumberId();
        var client = CreateClient(maxRetries: 3, attemptTimeout: "00:00:00.300");
        await PostControlAsync("/_fake/hold-sends", """{"count":1}""");
        try
        {
            // The fake accepts the message but holds its answer past the attempt timeout: Meta may have it.
            var result = await client.SendAsync(Credentials(phone), new OutboundTemplate("15550007778", "hello_world", "en_US"));

            Assert.False(result.IsSuccess);
            Assert.Null(result.Failure);
            Assert.Contains("unknown", result.InDoubtReason, StringComparison.Ordinal);
            Assert.Equal(1, result.Attempts);
            Assert.Equal(1, _pacer.Slots(phone)); // one attempt only: a retry would have taken a second slot
        }
        finally
        {
            await PostControlAsync("/_fake/release-sends", "{}");
        }
    }

    [Fact]
    public async Task AnHttp500WithoutAGraphErrorBodyIsInDoubtAndNotRetried()
    {
        // A gateway's bare 502: not Meta's verdict on the message.
        using var gateway = new BareStatusServer(502);
        var client = CreateClient(baseUrl: gateway.Url, maxRetries: 3);

        var result = await client.SendAsync(Credentials("123456789013"), new OutboundTemplate("15550007779", "hello_world", "en_US"));

        Assert.NotNull(result.InDoubtReason);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(1, gateway.Requests);
    }

    [Fact]
    public async Task TheCallbackDataGoesToMetaAsBizOpaqueCallbackData()
    {
        var phone = NewPhoneNumberId();
        var client = CreateClient();
        var id = Guid.NewGuid().ToString("D");

        var result = await client.SendAsync(Credentials(phone), new OutboundTemplate("15550007780", "hello_world", "en_US") { CallbackData = id });

        Assert.True(result.IsSuccess, result.Failure?.ToString());
        var recorded = Assert.Single(await RecordedAsync(phone));
        Assert.Equal(id, recorded!["body"]!["biz_opaque_callback_data"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, true)]
    [InlineData(HttpRequestError.NameResolutionError, true)]
    [InlineData(HttpRequestError.SecureConnectionError, true)]
    [InlineData(HttpRequestError.ResponseEnded, false)]
    [InlineData(HttpRequestError.InvalidResponse, false)]
    [InlineData(HttpRequestError.Unknown, false)]
    public void OnlyAConnectionThatNeverOpenedIsSurelyNotSent(HttpRequestError error, bool surelyNotSent)
    {
        Assert.Equal(surelyNotSent, WhatsAppCloudClient.SurelyNotSent(new HttpRequestException(error, "x")));
        Assert.False(WhatsAppCloudClient.SurelyNotSent(new Polly.Timeout.TimeoutRejectedException()));
        Assert.False(WhatsAppCloudClient.SurelyNotSent(new TaskCanceledException()));
    }

    [Fact]
    public async Task AnInvalidMessageIsRefusedWithoutAnyCall()
    {
        var phone = NewPhoneNumberId();
        var client = CreateClient();

        var result = await client.SendAsync(Credentials(phone), new OutboundText("15550008888", new string('x', 5000)));

        Assert.False(result.IsSuccess);
        Assert.Equal(0, result.Attempts);
        Assert.Equal(GraphErrorKind.InvalidRequest, result.Failure!.Kind);
        Assert.Empty(await RecordedAsync(phone));
        Assert.Equal(0, _pacer.Slots(phone));
    }

    [Fact]
    public async Task TheAccessTokenNeverAppearsInLogsEvenAtTraceLevel()
    {
        var phone = NewPhoneNumberId();
        await OpenWindowAsync(phone, "15550009999");
        await FailNextAsync(phone, 130429);
        var client = CreateClient();

        var sent = await client.SendAsync(Credentials(phone), new OutboundText("15550009999", "hi"));
        var refused = await client.SendAsync(Credentials(phone), new OutboundText("15550000000", "outside the window"));

        Assert.True(sent.IsSuccess);
        Assert.False(refused.IsSuccess);
        var text = _logs.AllText();
        // The sends were logged (the client's outcomes, Polly's attempts and the retry)…
        Assert.Contains(phone, text, StringComparison.Ordinal);
        Assert.Contains("RetryableThroughput", text, StringComparison.Ordinal);
        Assert.Contains("OutsideCustomerWindow", text, StringComparison.Ordinal);
        // …but never the token, nor any request header: the factory's default HTTP logging, whose structured state
        // carries header values unredacted even with RedactLoggedHeaders, is removed for this client.
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, Credentials(phone).ToString(), StringComparison.Ordinal);
    }

    private sealed class CountingPacer : IWhatsAppSendPacer
    {
        private readonly ConcurrentDictionary<string, int> _slots = new();
        private readonly ConcurrentDictionary<string, int> _pauses = new();

        public int Slots(string phoneNumberId) => _slots.GetValueOrDefault(phoneNumberId);

        public int Pauses(string phoneNumberId) => _pauses.GetValueOrDefault(phoneNumberId);

        public int TotalSlots => _slots.Values.Sum();

        public ValueTask WaitForSlotAsync(string phoneNumberId, CancellationToken cancellationToken)
        {
            _slots.AddOrUpdate(phoneNumberId, 1, (_, n) => n + 1);
            return ValueTask.CompletedTask;
        }

        public ValueTask<PacingSlot> TryReserveSlotAsync(string phoneNumberId, DateTimeOffset? notAfter, CancellationToken cancellationToken)
        {
            _slots.AddOrUpdate(phoneNumberId, 1, (_, n) => n + 1);
            return ValueTask.FromResult(new PacingSlot(true, DateTimeOffset.MinValue));
        }

        public ValueTask ReportThrottledAsync(string phoneNumberId, TimeSpan pause, CancellationToken cancellationToken)
        {
            _pauses.AddOrUpdate(phoneNumberId, 1, (_, n) => n + 1);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A bare HTTP server answering every request with one status and an empty body, counting requests.</summary>
    private sealed class BareStatusServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _requests;

        public BareStatusServer(int status)
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    TcpClient connection;
                    try
                    {
                        connection = await _listener.AcceptTcpClientAsync();
                    }
                    catch (Exception)
                    {
                        return; // stopped
                    }

                    _ = Task.Run(async () =>
                    {
                        using (connection)
                        {
                            var stream = connection.GetStream();
                            var buffer = new byte[64 * 1024];
                            var received = new StringBuilder();
                            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                            {
                                var read = await stream.ReadAsync(buffer);
                                if (read == 0)
                                {
                                    return;
                                }

                                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                            }

                            Interlocked.Increment(ref _requests);
                            var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                            await stream.WriteAsync(answer);
                        }
                    });
                }
            });
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose() => _listener.Stop();
    }

    /// <summary>Captures every log entry: the formatted message, each structured value, scopes and exceptions.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public string AllText() => string.Join('\n', _entries);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var entry = new StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (key, value) in values)
                    {
                        entry.Append($" | {key}={Render(value)}");
                    }
                }

                provider._scopes.ForEachScope((scope, builder) => builder.Append($" | scope={scope}"), entry);
                if (exception is not null)
                {
                    entry.Append(" | ").Append(exception);
                }

                provider._entries.Enqueue(entry.ToString());
            }

            // Header values come as string[]: render the items, not the type name.
            private static string? Render(object? value) => value is System.Collections.IEnumerable items and not string
                ? string.Join(",", items.Cast<object?>())
                : value?.ToString();
        }
    }
}
