using ChatBoost.WhatsApp;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChatBoost.Api.Http;
using ChatBoost.Api.Overload;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;

namespace ChatBoost.Api.WhatsApp;

/// <summary>
/// <c>GET|POST /whatsapp/webhook</c> (the platform's Meta app) and <c>GET|POST /whatsapp/webhook/{bot_id}</c> (the
/// callback URL a tenant enters in its own Meta app): Meta's subscription check and its signed deliveries. Public by
/// design (Meta cannot authenticate with our tokens); the signature is the authentication, checked on the raw bytes
/// before any parsing, grain call or storage, and it authenticates each change separately: a change is ingested only
/// when the body verifies with the effective app secret of the bot that owns the change's phone number id.
/// </summary>
public static class WebhookEndpoints
{
    public const string Path = "/whatsapp/webhook";

    /// <summary>Bound on every grain call of a webhook: past it the API answers 503 and Meta retries.</summary>
    public static readonly TimeSpan GrainCallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Distinct phone number ids looked up for one unverified body (Meta sends one per change).</summary>
    private const int MaxPhoneNumbersPerBody = 16;

    public static IServiceCollection AddWhatsAppWebhooks(this IServiceCollection services, WhatsAppWebhookSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<WebhookSecretCache>();
        return services;
    }

    public static IEndpointRouteBuilder MapWhatsAppWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).AllowAnonymous().RequireRateLimiting(WebhookConcurrency.Policy).WithModuleTag(
            "WhatsApp webhook", "Meta's callbacks: the subscription check and signed deliveries (X-Hub-Signature-256). Called by Meta, not by clients of the API.");
        group.MapGet("", VerifyPlatformAsync)
            .WithName("WhatsApp_VerifyWebhook")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithSummary("Meta's subscription check for the platform's app: echoes hub.challenge when hub.verify_token is WHATSAPP_WEBHOOK_VERIFY_TOKEN.");
        group.MapGet("/{bot_id:long}", VerifyBotAsync)
            .WithName("WhatsApp_VerifyBotWebhook")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithSummary("Meta's subscription check for a bot's own app: echoes hub.challenge when hub.verify_token is that bot's whatsapp_webhook_verify_token.")
            .WithDescription("Enter https://<host>/whatsapp/webhook/{bot_id} as the callback URL and the bot's verify token in Meta's console. "
                + "Another bot's token, the environment's token, an unknown or deleted bot: 403, the same answer for each.");
        group.MapPost("", ReceiveAsync)
            .WithName("WhatsApp_ReceiveWebhook")
            .Accepts<System.Text.Json.JsonElement>("application/json")
            .WithRequestHeader(WebhookSignature.HeaderName, "sha256= and the hex HMAC-SHA256 of the raw body with the app secret, as Meta signs it.", required: true, pattern: "^sha256=[0-9a-fA-F]{64}$")
            .Produces<WebhookAck>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("A signed delivery from Meta (X-Hub-Signature-256): inbound messages and statuses.")
            .WithDescription(ReceiveDescription);
        group.MapPost("/{bot_id:long}", ReceiveAtBotCallbackAsync)
            .WithName("WhatsApp_ReceiveBotWebhook")
            .Accepts<System.Text.Json.JsonElement>("application/json")
            .WithRequestHeader(WebhookSignature.HeaderName, "sha256= and the hex HMAC-SHA256 of the raw body with the app secret, as Meta signs it.", required: true, pattern: "^sha256=[0-9a-fA-F]{64}$")
            .Produces<WebhookAck>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The same signed delivery at a bot's own callback URL (the path does not choose what is ingested: the signature does).")
            .WithDescription(ReceiveDescription);
        return app;
    }

    private const string ReceiveDescription =
        "Each change (entry[].changes[]) is ingested only when the body's signature verifies with the app secret of the bot "
        + "that owns its metadata.phone_number_id (the bot's own, or WHATSAPP_APP_SECRET for a bot without one). A body no "
        + "candidate secret verifies: 401. A verified body answers 200; its changes for numbers the signer does not own are "
        + "dropped and logged, and the counts (received, duplicates, statuses) cover only what was ingested, so the answer "
        + "is the same whether such a number is unknown or another tenant's.";

    /// <summary>The platform's callback: only the environment's verify token passes (no bot's token does).</summary>
    private static IResult VerifyPlatformAsync(
        [FromQuery(Name = "hub.mode")] string? mode,
        [FromQuery(Name = "hub.verify_token")] string? verifyToken,
        [FromQuery(Name = "hub.challenge")] string? challenge,
        WhatsAppWebhookSettings settings)
    {
        if (mode != "subscribe" || string.IsNullOrEmpty(verifyToken))
        {
            return Problems.Forbidden("The verification request is not valid.");
        }

        var known = settings.VerifyToken is { } expected && FixedTimeEquals(expected, verifyToken);
        return known ? Challenge(challenge) : Problems.Forbidden("The verify token is not valid.");
    }

    /// <summary>A bot's own callback: only that bot's own verify token passes.</summary>
    private static async Task<IResult> VerifyBotAsync(
        HttpContext context,
        [FromRoute(Name = "bot_id")] long botId,
        [FromQuery(Name = "hub.mode")] string? mode,
        [FromQuery(Name = "hub.verify_token")] string? verifyToken,
        [FromQuery(Name = "hub.challenge")] string? challenge,
        IClusterClient cluster,
        ILoggerFactory loggers)
    {
        if (mode != "subscribe" || string.IsNullOrEmpty(verifyToken))
        {
            return Problems.Forbidden("The verification request is not valid.");
        }

        bool known;
        try
        {
            known = await cluster.GetGrain<IWebhookSecretQueryGrain>(0).IsBotWebhookVerifyTokenAsync(botId, verifyToken).WaitAsync(GrainCallTimeout);
        }
        catch (Exception e)
        {
            loggers.CreateLogger(typeof(WebhookEndpoints)).LogWarning(e, "Webhook verification: the verify token could not be checked");
            return Problems.ServiceUnavailable(context, "The webhook could not be processed right now; retry later.");
        }

        // The same 403 for an unknown bot and a wrong token: the path does not reveal which bots exist.
        return known ? Challenge(challenge) : Problems.Forbidden("The verify token is not valid.");
    }

    private static IResult Challenge(string? challenge) => string.IsNullOrEmpty(challenge)
        ? Problems.BadRequest("hub.challenge is missing.")
        : TypedResults.Text(challenge, "text/plain", Encoding.UTF8);

    /// <summary>The bot's own callback URL binds its id (so the path is a declared parameter) but ingests like the platform's.</summary>
    private static Task<IResult> ReceiveAtBotCallbackAsync(
        [FromRoute(Name = "bot_id")] long botId,
        HttpContext context,
        WhatsAppWebhookSettings settings,
        WebhookSecretCache secrets,
        IClusterClient cluster,
        ChatBoostMetrics metrics,
        ILoggerFactory loggers)
    {
        _ = botId; // the signature, not the path, decides which changes are ingested
        return ReceiveAsync(context, settings, secrets, cluster, metrics, loggers);
    }

    private static async Task<IResult> ReceiveAsync(
        HttpContext context,
        WhatsAppWebhookSettings settings,
        WebhookSecretCache secrets,
        IClusterClient cluster,
        ChatBoostMetrics metrics,
        ILoggerFactory loggers)
    {
        var answer = await ReceiveCoreAsync(context, settings, secrets, cluster, loggers);
        metrics.WebhookAnswered(answer switch
        {
            Ok<WebhookAck> => WebhookOutcomes.Acked,
            IStatusCodeHttpResult { StatusCode: StatusCodes.Status401Unauthorized } => WebhookOutcomes.Unauthorized,
            IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable } => WebhookOutcomes.Unavailable,
            _ => WebhookOutcomes.BadRequest,
        });
        return answer;
    }

    private static async Task<IResult> ReceiveCoreAsync(
        HttpContext context,
        WhatsAppWebhookSettings settings,
        WebhookSecretCache secrets,
        IClusterClient cluster,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(WebhookEndpoints));

        // Raw bytes first: the global request size limit turns an oversized body into 413 here.
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }

        var signature = context.Request.Headers[WebhookSignature.HeaderName].ToString();
        if (!WebhookSignature.IsWellFormed(signature))
        {
            return Problems.Unauthorized("X-Hub-Signature-256 is missing or malformed.");
        }

        string[]? authenticated;
        try
        {
            authenticated = await AuthenticateChangesAsync(body, signature, settings, secrets, cluster);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Webhook: a bot's app secret could not be looked up");
            return Problems.ServiceUnavailable(context, "The webhook could not be processed right now; retry later.");
        }

        if (authenticated is null)
        {
            return Problems.Unauthorized("The signature does not match the body.");
        }

        WebhookIngestResult result;
        try
        {
            result = await cluster.GetGrain<IWebhookIngressGrain>(0).IngestAsync(body, authenticated).WaitAsync(GrainCallTimeout);
        }
        catch (Exception e)
        {
            // Not every message is known to be durable: Meta must retry (a retry of a recorded one is a duplicate).
            logger.LogWarning(e, "Webhook: the payload could not be recorded; answering 503 so that Meta retries");
            return Problems.ServiceUnavailable(context, "The webhook could not be processed right now; retry later.");
        }

        if (result.Problem is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        return TypedResults.Ok(new WebhookAck(result.Received, result.Duplicates, result.Statuses));
    }

    /// <summary>
    /// The phone number ids of the body whose owning bot's effective app secret verifies the signature: the bot's own
    /// secret when it has one, else <c>WHATSAPP_APP_SECRET</c> (also for a number no bot owns, whose changes the ingress
    /// then drops as unknown). Null when no candidate secret verifies the body at all (401). A body that is not JSON
    /// is verified only by the environment's secret; it then reaches the parser, which answers 400.
    /// </summary>
    private static async Task<string[]?> AuthenticateChangesAsync(
        byte[] body, string signature, WhatsAppWebhookSettings settings, WebhookSecretCache secrets, IClusterClient cluster)
    {
        var verifiedByPlatform = settings.AppSecret is { } appSecret && WebhookSignature.IsValid(body, signature, appSecret);
        var phoneNumberIds = PeekPhoneNumberIds(body);
        if (phoneNumberIds is null)
        {
            return verifiedByPlatform ? [] : null; // not JSON and unverified: a 401, not a 400
        }

        var authenticated = new List<string>(phoneNumberIds.Count);
        var verifiedByBot = false;
        foreach (var phoneNumberId in phoneNumberIds)
        {
            var ownSecret = await secrets.GetAsync(phoneNumberId, id =>
                cluster.GetGrain<IWebhookSecretQueryGrain>(0).GetWebhookSecretAsync(id).WaitAsync(GrainCallTimeout));
            if (ownSecret is null ? verifiedByPlatform : WebhookSignature.IsValid(body, signature, ownSecret))
            {
                authenticated.Add(phoneNumberId);
                verifiedByBot |= ownSecret is not null;
            }
        }

        return verifiedByPlatform || verifiedByBot ? [.. authenticated] : null;
    }

    /// <summary>
    /// The distinct <c>metadata.phone_number_id</c> strings of an unverified body (at most <see cref="MaxPhoneNumbersPerBody"/>),
    /// read with a forward-only reader and nothing else; null when the body is not well-formed JSON.
    /// </summary>
    internal static List<string>? PeekPhoneNumberIds(ReadOnlySpan<byte> body)
    {
        var ids = new List<string>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        var metadataDepth = -1;
        var nextIsMetadata = false;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        nextIsMetadata = reader.ValueTextEquals("metadata"u8);
                        if (metadataDepth >= 0 && reader.CurrentDepth == metadataDepth + 1 && reader.ValueTextEquals("phone_number_id"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 and <= 64 } id
                                && !ids.Contains(id) && ids.Count < MaxPhoneNumbersPerBody)
                            {
                                ids.Add(id);
                            }

                            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                            {
                                reader.Skip();
                            }
                        }

                        continue;
                    case JsonTokenType.StartObject when nextIsMetadata && metadataDepth < 0:
                        metadataDepth = reader.CurrentDepth;
                        break;
                    case JsonTokenType.EndObject when reader.CurrentDepth == metadataDepth:
                        metadataDepth = -1;
                        break;
                }

                nextIsMetadata = false;
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null; // a string that is not valid text
        }

        return ids;
    }

    private static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(actual)));

    /// <summary>The acknowledgement: messages durably recorded (duplicates included), duplicates, statuses processed.</summary>
    public sealed record WebhookAck(int Received, int Duplicates, int Statuses);
}

/// <summary>
/// The API's 60-second cache of bots' webhook app secrets by phone number id, negative results included (so a flood of
/// unsigned requests naming random numbers costs one look-up per number per minute). Bounded in entries.
/// </summary>
public sealed class WebhookSecretCache : IDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(60);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public async Task<string?> GetAsync(string phoneNumberId, Func<string, Task<string?>> lookUp)
    {
        if (_cache.TryGetValue(phoneNumberId, out Entry? entry) && entry is not null)
        {
            return entry.Secret;
        }

        var secret = await lookUp(phoneNumberId);
        _cache.Set(phoneNumberId, new Entry(secret), new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Ttl, Size = 1 });
        return secret;
    }

    public void Dispose() => _cache.Dispose();

    private sealed record Entry(string? Secret)
    {
        public override string ToString() => "Entry { *** }";
    }
}
