using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// GET|POST /whatsapp/webhook and /whatsapp/webhook/{bot_id} (a bot's own callback URL): PUBLIC BY DESIGN. Meta cannot present our bearer tokens; the webhook authenticates
/// with the verify token (GET) and the X-Hub-Signature-256 HMAC of the body (POST) instead. So every caller gets the
/// same answer: a bearer token, even a platform administrator's, neither grants nor changes anything. (The shared
/// system has no webhook defaults, so these rows show the refusals; WhatsApp/WebhookTests covers the successes.)
/// </summary>
public static class WebhookEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        yield return new("GET /whatsapp/webhook",
            _ => (HttpMethod.Get, "/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=not-a-known-token&hub.challenge=123", null),
            Everyone(HttpStatusCode.Forbidden));
        yield return new("POST /whatsapp/webhook",
            _ => (HttpMethod.Post, "/whatsapp/webhook", new { @object = "whatsapp_business_account", entry = Array.Empty<object>() }),
            Everyone(HttpStatusCode.Unauthorized));

        // A bot's callback URL: the scene's bot has no verify token of its own, so even its owner's bearer token does
        // not make the handshake pass; the POST is authenticated by the signature alone, like the platform's.
        yield return new("GET /whatsapp/webhook/{bot_id}",
            s => (HttpMethod.Get, $"/whatsapp/webhook/{s.BotId}?hub.mode=subscribe&hub.verify_token=not-a-known-token&hub.challenge=123", null),
            Everyone(HttpStatusCode.Forbidden), Setup: s => s.CreateBotAsync());
        yield return new("POST /whatsapp/webhook/{bot_id}",
            s => (HttpMethod.Post, $"/whatsapp/webhook/{s.BotId}", new { @object = "whatsapp_business_account", entry = Array.Empty<object>() }),
            Everyone(HttpStatusCode.Unauthorized), Setup: s => s.CreateBotAsync());
    }

    private static Dictionary<Caller, HttpStatusCode> Everyone(HttpStatusCode status) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, _ => status);
}
