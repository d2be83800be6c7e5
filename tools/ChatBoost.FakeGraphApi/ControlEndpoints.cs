using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ChatBoost.FakeGraphApi;

/// <summary>The <c>/_fake/*</c> endpoints tests use to steer and inspect the fake (see README.md).</summary>
public sealed class ControlEndpoints(FakeGraphState state, WebhookPoster poster, TimeProvider time)
{
    private const int MaxControlBodyBytes = 1024 * 1024;
    private const int MaxDuplicates = 100;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/_fake/health", () => Json.Result(new JsonObject { ["status"] = "ok" }));
        app.MapPost("/_fake/reset", () =>
        {
            state.Reset();
            return Results.NoContent();
        });
        app.MapPost("/_fake/fail-next", FailNextAsync);
        app.MapPost("/_fake/customer-wrote", CustomerWroteAsync);
        app.MapPost("/_fake/phone-numbers", RegisterPhoneNumberAsync);
        app.MapGet("/_fake/requests", QueryRequests);
        app.MapDelete("/_fake/requests", () =>
        {
            state.ClearRequests();
            return Results.NoContent();
        });
        app.MapPost("/_fake/inbound", InboundAsync);
        app.MapPost("/_fake/status", StatusAsync);
        app.MapPost("/_fake/hold-sends", HoldSendsAsync);
        app.MapPost("/_fake/release-sends", () => Json.Result(new JsonObject { ["released"] = state.Holds.ReleaseAll() }));
        app.MapGet("/_fake/held-sends", () => Json.Result(new JsonObject { ["held"] = state.Holds.Held }));
    }

    private async Task<IResult> HoldSendsAsync(HttpRequest http)
    {
        if (await ReadAsync(http) is not { } request || Json.Int(request, "count") is not { } count || count is < 1 or > 10_000)
        {
            return BadRequest("The body must be {\"count\": n} with n from 1 to 10000.");
        }

        state.Holds.HoldNext(count);
        return Json.Result(new JsonObject { ["holding"] = count });
    }

    private async Task<IResult> FailNextAsync(HttpRequest http)
    {
        if (await ReadAsync(http) is not { } request)
        {
            return BadRequest("The body must be a JSON object.");
        }

        if (Json.Int(request, "code") is not { } code)
        {
            return BadRequest("'code' is required, e.g. 130429, 131047, 131026 or 190.");
        }

        var count = Math.Clamp(Json.Int(request, "count") ?? 1, 1, 10_000);
        var status = Json.Int(request, "http_status") ?? GraphFailure.DefaultHttpStatus(code);
        if (status is < 400 or > 599)
        {
            return BadRequest("'http_status' must be a 4xx or 5xx status.");
        }

        state.InjectFailures(new InjectedFailure(Json.Str(request, "phone_number_id"), status, code, Json.Str(request, "message"), Json.Str(request, "details")), count);
        return Json.Result(new JsonObject { ["queued"] = count, ["http_status"] = status, ["code"] = code });
    }

    private async Task<IResult> CustomerWroteAsync(HttpRequest http)
    {
        var request = await ReadAsync(http);
        var phoneNumberId = Json.Str(request, "phone_number_id");
        var waId = Json.Str(request, "wa_id") ?? Json.Str(request, "from");
        if (phoneNumberId is null || waId is null)
        {
            return BadRequest("'phone_number_id' and 'wa_id' are required.");
        }

        var at = Json.Str(request, "at") is { } text && DateTimeOffset.TryParse(text, out var parsed) ? parsed : time.GetUtcNow();
        state.RecordCustomerMessage(phoneNumberId, waId, at);
        return Results.NoContent();
    }

    private async Task<IResult> RegisterPhoneNumberAsync(HttpRequest http)
    {
        var request = await ReadAsync(http);
        var phoneNumberId = Json.Str(request, "phone_number_id");
        var tokens = request?["access_tokens"] is JsonArray list
            ? list.Select(t => (t as JsonValue)?.TryGetValue<string>(out var token) == true ? token : null).ToList()
            : [];
        if (phoneNumberId is null || tokens.Count == 0 || tokens.Any(string.IsNullOrEmpty))
        {
            return BadRequest("'phone_number_id' and 'access_tokens' (a non-empty list of strings) are required.");
        }

        state.RegisterPhoneNumber(new RegisteredPhoneNumber(
            phoneNumberId,
            Json.Str(request, "display_phone_number") ?? "+1 555-" + phoneNumberId[^Math.Min(4, phoneNumberId.Length)..],
            Json.Str(request, "verified_name") ?? "Test Business",
            tokens.Select(t => t!).ToHashSet(StringComparer.Ordinal)));
        return Results.NoContent();
    }

    private IResult QueryRequests([FromQuery(Name = "phone_number_id")] string? phoneNumberId, string? to, int? limit)
    {
        var requests = state.Requests(phoneNumberId, to, Math.Clamp(limit ?? 1_000, 1, 10_000));
        var items = new JsonArray();
        foreach (var r in requests)
        {
            items.Add(new JsonObject
            {
                ["sequence"] = r.Sequence,
                ["time"] = r.Time.ToString("O"),
                ["method"] = r.Method,
                ["path"] = r.Path,
                ["phone_number_id"] = r.PhoneNumberId,
                ["to"] = r.To,
                ["authorization"] = new JsonObject { ["present"] = r.AuthorizationPresent, ["token_last4"] = r.TokenLast4 },
                ["headers"] = new JsonObject(r.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))),
                ["body"] = ParseOrText(r.Body),
                ["http_status"] = r.HttpStatus,
                ["error_code"] = r.ErrorCode,
                ["response"] = ParseOrText(r.Response),
            });
        }

        return Json.Result(new JsonObject { ["count"] = items.Count, ["requests"] = items });
    }

    private async Task<IResult> InboundAsync(HttpRequest http)
    {
        if (await ReadAsync(http) is not { } request)
        {
            return BadRequest("The body must be a JSON object.");
        }

        if (Target(request, out var url, out var secret, out var signature) is { } problem)
        {
            return problem;
        }

        var phoneNumberId = Json.Str(request, "phone_number_id");
        var from = Json.Str(request, "from");
        var userId = Json.Str(request, "from_user_id");
        if (phoneNumberId is null || (from is null && userId is null))
        {
            return BadRequest("'phone_number_id' and 'from' (or 'from_user_id', a business-scoped user id) are required.");
        }

        var now = time.GetUtcNow();
        var message = WebhookPayloads.InboundMessage(request, from, now, state.AddMedia);
        var profile = new JsonObject { ["name"] = Json.Str(request, "profile_name") ?? "Test Customer" };
        if (Json.Str(request, "username") is { } username)
        {
            profile["username"] = username;
        }

        var contact = new JsonObject { ["profile"] = profile };
        if (from is not null)
        {
            contact["wa_id"] = from;
        }

        if (userId is not null)
        {
            contact["user_id"] = userId;
        }

        var payload = WebhookPayloads.Envelope(request, phoneNumberId, new JsonArray(contact), new JsonArray(message), null);
        // The window is the recipient's: a phone number, or the BSUID a reply is addressed to.
        state.RecordCustomerMessage(phoneNumberId, from ?? userId!, now);

        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var duplicates = Math.Clamp(Json.Int(request, "duplicates") ?? 1, 1, MaxDuplicates);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, duplicates)
            .Select(_ => poster.PostAsync(url!, body, secret, signature, http.HttpContext.RequestAborted)));
        return Json.Result(new JsonObject
        {
            ["wamid"] = Json.Str(message, "id"),
            ["http_statuses"] = new JsonArray(outcomes.Select(o => (JsonNode)o.HttpStatus).ToArray()),
            ["errors"] = new JsonArray(outcomes.Where(o => o.Error is not null).Select(o => (JsonNode)o.Error!).ToArray()),
            ["payload"] = payload,
        });
    }

    private async Task<IResult> StatusAsync(HttpRequest http)
    {
        if (await ReadAsync(http) is not { } request)
        {
            return BadRequest("The body must be a JSON object.");
        }

        if (Target(request, out var url, out var secret, out var signature) is { } problem)
        {
            return problem;
        }

        var phoneNumberId = Json.Str(request, "phone_number_id");
        var wamid = Json.Str(request, "wamid");
        var recipient = Json.Str(request, "recipient_id");
        var names = request["statuses"] is JsonArray list
            ? list.Select(s => (s as JsonValue)?.TryGetValue<string>(out var name) == true ? name : null).ToList()
            : [Json.Str(request, "status")];
        if (phoneNumberId is null || wamid is null || recipient is null || names.Count == 0 || names.Any(n => n is null))
        {
            return BadRequest("'phone_number_id', 'wamid', 'recipient_id' and 'status' (or 'statuses': [..]) are required.");
        }

        var now = time.GetUtcNow();
        var conversationId = Json.Str(request, "conversation_id") ?? Guid.NewGuid().ToString("N");
        var category = Json.Str(request, "pricing_category") ?? "service";
        var statuses = names
            .Select(name => (JsonNode)WebhookPayloads.Status(wamid, name!, recipient, now, conversationId, category, Json.Obj(request, "error"),
                Json.Str(request, "biz_opaque_callback_data") ?? state.Holds.CallbackOf(wamid)))
            .ToList();

        // Separate webhooks by default, posted one after the other in the order given: that is how a test
        // makes "read" arrive before "delivered". "batch": true puts them all in one payload instead.
        var payloads = request["batch"] is JsonValue batch && batch.TryGetValue<bool>(out var b) && b
            ? [WebhookPayloads.Envelope(request, phoneNumberId, null, null, new JsonArray(statuses.ToArray()))]
            : statuses.Select(s => WebhookPayloads.Envelope(request, phoneNumberId, null, null, new JsonArray(s))).ToList();
        var results = new JsonArray();
        foreach (var payload in payloads)
        {
            var outcome = await poster.PostAsync(url!, Encoding.UTF8.GetBytes(payload.ToJsonString()), secret, signature, http.HttpContext.RequestAborted);
            results.Add(new JsonObject { ["http_status"] = outcome.HttpStatus, ["error"] = outcome.Error, ["payload"] = payload });
        }

        return Json.Result(new JsonObject { ["results"] = results });
    }

    /// <summary>Where and how to post: <c>webhook_url</c>, <c>app_secret</c> (or the configured defaults), and
    /// <c>signature</c> to send a given header value (<c>""</c> sends none).</summary>
    private IResult? Target(JsonObject request, out string? url, out string? secret, out string? signature)
    {
        url = Json.Str(request, "webhook_url") ?? state.Options.WebhookUrl;
        secret = Json.Str(request, "app_secret") ?? state.Options.AppSecret;
        signature = Json.Str(request, "signature");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return BadRequest("'webhook_url' (or FAKE_GRAPH_WEBHOOK_URL) must be an absolute http(s) URL.");
        }

        return signature is null && string.IsNullOrEmpty(secret)
            ? BadRequest("'app_secret' (or FAKE_GRAPH_APP_SECRET) is required to sign the webhook.")
            : null;
    }

    private static async Task<JsonObject?> ReadAsync(HttpRequest request) =>
        await GraphEndpoints.ReadBodyAsync(request, MaxControlBodyBytes) is { } body ? Json.ParseObject(body) : null;

    private static JsonNode? ParseOrText(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return (JsonNode?)Json.ParseObject(Encoding.UTF8.GetBytes(text)) ?? JsonValue.Create(text);
    }

    private static IResult BadRequest(string error) => Json.Result(new JsonObject { ["error"] = error }, StatusCodes.Status400BadRequest);
}
