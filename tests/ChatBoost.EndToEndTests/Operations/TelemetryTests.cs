using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ChatBoost.EndToEndTests.Flows;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Operations;

/// <summary>
/// Telemetry of the real processes: one webhook is one trace from the API through the grains to the Graph API call
/// (the fake sees the webhook's trace id in <c>traceparent</c>); the silo's JSON log lines carry that trace id; the
/// Prometheus endpoint on each process's operations port shows Orleans' and ChatBoost's instruments, and the public
/// port does not serve it.
/// </summary>
[Collection(OperationsCollection.Name)]
public sealed class TelemetryTests(OperationsFixture fixture)
{
    private static readonly TimeSpan Deadline = FlowEngineFixture.Deadline;

    [Fact]
    public async Task AWebhookIsOneTrace_FromTheApiThroughTheGrainsToTheGraphApiCall()
    {
        var from = FlowEngineFixture.NewPhone();
        await fixture.CustomerWroteAsync(from);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var traceparent = $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01";

        using var request = OperationsFixture.SignedWebhook(OperationsFixture.TextMessage(fixture.PhoneNumberId, from, "hello, trace"), ("traceparent", traceparent));
        using var response = await fixture.System.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var sent = await PollAsync(() => fixture.SentToAsync(from), s => s.Count > 0);
        var header = sent[0]!["headers"]!.AsObject().FirstOrDefault(h => h.Key.Equals("traceparent", StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();
        Assert.True(header is not null, "The Graph API call carried no traceparent: " + sent[0]!["headers"]!.ToJsonString());
        Assert.Equal(traceId, header.Split('-')[1]);
    }

    [Fact]
    public async Task TheSilosJsonLogLines_CarryTheWebhooksTraceId()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var unknownNumber = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mark = fixture.System.Silos[0].OutputLength;

        // A number no bot owns: the ingress grain logs a warning inside the webhook's grain call.
        using var request = OperationsFixture.SignedWebhook(OperationsFixture.TextMessage(unknownNumber, FlowEngineFixture.NewPhone(), "to nobody"),
            ("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01"));
        using var response = await fixture.System.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var line = await PollAsync(
            () => Task.FromResult(fixture.System.Silos[0].OutputSince(mark).Split('\n').FirstOrDefault(l => l.Contains(unknownNumber, StringComparison.Ordinal))),
            l => l is not null);
        using var json = JsonDocument.Parse(line![line!.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal("Warning", json.RootElement.GetProperty("LogLevel").GetString());
        var scopes = json.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var id) && id.GetString() == traceId);
    }

    [Fact]
    public async Task TheOperationsPorts_ShowOrleansAndChatBoostInstruments_AfterAWebhook()
    {
        var from = FlowEngineFixture.NewPhone();
        await fixture.CustomerWroteAsync(from);
        using (var request = OperationsFixture.SignedWebhook(OperationsFixture.TextMessage(fixture.PhoneNumberId, from, "hello, metrics")))
        using (var response = await fixture.System.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await PollAsync(() => fixture.SentToAsync(from), s => s.Count > 0);
        using var scraper = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var api = await PollAsync(() => ScrapeAsync(scraper, fixture.System.Api), t => t.Contains("chatboost_webhook_requests_total", StringComparison.Ordinal));
        Assert.Contains("outcome=\"acked\"", api, StringComparison.Ordinal);
        Assert.Contains("orleans_", api, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", api, StringComparison.Ordinal);

        var silo = await PollAsync(() => ScrapeAsync(scraper, fixture.System.Silos[0]),
            t => t.Contains("chatboost_messages_in_total", StringComparison.Ordinal) && t.Contains("chatboost_sends_total", StringComparison.Ordinal)
                && t.Contains("chatboost_executions_total", StringComparison.Ordinal)
                && t.Contains("chatboost_outlet_cursor_lag", StringComparison.Ordinal)); // reported once a dispatcher has run a batch
        Assert.Contains("orleans_", silo, StringComparison.Ordinal);
        Assert.Contains("chatboost_messages_out_total", silo, StringComparison.Ordinal);
        Assert.Contains("outcome=\"sent\"", silo, StringComparison.Ordinal);

        // The public port does not serve the metrics.
        using var publicMetrics = await fixture.System.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.NotEqual(HttpStatusCode.OK, publicMetrics.StatusCode);
    }

    [Fact]
    public async Task TheSilosOperationsPort_AnswersLivenessAndReadiness()
    {
        using var probe = new HttpClient { BaseAddress = ChatBoostSystem.OpsAddress(fixture.System.Silos[0]), Timeout = TimeSpan.FromSeconds(30) };
        using var live = await probe.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = await ready.Content.ReadAsStringAsync();
        Assert.True(ready.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("postgresql", body, StringComparison.Ordinal);
        Assert.Contains("writers", body, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(HttpClient scraper, ChildProcess process)
    {
        using var response = await scraper.GetAsync(new Uri(ChatBoostSystem.OpsAddress(process), "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {Deadline}: {value}");
            }

            await Task.Delay(250);
        }
    }
}
