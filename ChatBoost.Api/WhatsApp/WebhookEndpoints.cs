using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChatBoost.Api.Http;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;

namespace ChatBoost.Api.WhatsApp;

/// <summary>
/// <c>GET|POST /whatsapp/webhook</c>: Meta's subscription check and its signed deliveries. Public by design (Meta
/// cannot authenticate with our tokens); the signature is the authentication, checked on the raw bytes before any
/// parsing, grain call or storage.
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
        var group = app.MapGroup(Path).AllowAnonymous().WithTags("WhatsApp webhook");
        group.MapGet("", VerifyAsync)
            .WithSummary("Meta's subscription check: echoes hub.challenge when hub.verify_token is known.");
        group.MapPost("", ReceiveAsync)
            .WithSummary("A signed delivery from Meta (X-Hub-Signature-256): inbound messages and statuses.");
        return app;
    }

    private static async Task<IResult> VerifyAsync(
        HttpContext context,
        [FromQuery(Name = "hub.mode")] string? mode,
        [FromQuery(Name = "hub.verify_token")] string? verifyToken,
        [FromQuery(Name = "hub.challenge")] string? challenge,
        WhatsAppWebhookSettings settings,
        IClusterClient cluster,
        ILoggerFactory loggers)
    {
        if (mode != "subscribe" || string.IsNullOrEmpty(verifyToken))
        {
            return Problems.Forbidden("The verification request is not valid.");
        }

        var known = settings.VerifyToken is { } expected && FixedTimeEquals(expected, verifyToken);
        if (!known)
        {
            try
            {
                known = await cluster.GetGrain<IWhatsAppDirectoryGrain>(0).IsWebhookVerifyTokenAsync(verifyToken).WaitAsync(GrainCallTimeout);
            }
            catch (Exception e)
            {
                loggers.CreateLogger(typeof(WebhookEndpoints)).LogWarning(e, "Webhook verification: the verify token could not be checked");
                return Problems.ServiceUnavailable(context, "The webhook could not be processed right now; retry later.");
            }
        }

        if (!known)
        {
            return Problems.Forbidden("The verify token is not valid.");
        }

        return string.IsNullOrEmpty(challenge)
            ? Problems.BadRequest("hub.challenge is missing.")
            : TypedResults.Text(challenge, "text/plain", Encoding.UTF8);
    }

    private static async Task<IResult> ReceiveAsync(
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

        bool verified;
        try
        {
            verified = await VerifySignatureAsync(body, signature, settings, secrets, cluster);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Webhook: a bot's app secret could not be looked up");
            return Problems.ServiceUnavailable(context, "The webhook could not be processed right now; retry later.");
        }

        if (!verified)
        {
            return Problems.Unauthorized("The signature does not match the body.");
        }

        WebhookIngestResult result;
        try
        {
            result = await cluster.GetGrain<IWebhookIngressGrain>(0).IngestAsync(body).WaitAsync(GrainCallTimeout);
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

    /// <summary>The environment's app secret first, then the app secret of each bot the body names.</summary>
    private static async Task<bool> VerifySignatureAsync(
        byte[] body, string signature, WhatsAppWebhookSettings settings, WebhookSecretCache secrets, IClusterClient cluster)
    {
        if (settings.AppSecret is { } appSecret && WebhookSignature.IsValid(body, signature, appSecret))
        {
            return true;
        }

        var phoneNumberIds = PeekPhoneNumberIds(body);
        if (phoneNumberIds is null)
        {
            return false; // not JSON: nothing is verified yet, so this is a 401, not a 400
        }

        foreach (var phoneNumberId in phoneNumberIds)
        {
            var secret = await secrets.GetAsync(phoneNumberId, id =>
                cluster.GetGrain<IWhatsAppDirectoryGrain>(0).GetWebhookSecretAsync(id).WaitAsync(GrainCallTimeout));
            if (secret is not null && WebhookSignature.IsValid(body, signature, secret))
            {
                return true;
            }
        }

        return false;
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
