using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The WhatsApp sends (messages.send) and history (messages.read) rows of the authorization matrix. The scene's bot is
/// not WhatsApp-enabled, so an allowed send is a 409 that never reaches Meta: the row still proves who may send.
/// </summary>
public static class WhatsAppEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        yield return new("POST /whatsapp/send/template?bot_id",
            s => (HttpMethod.Post, $"/whatsapp/send/template?bot_id={s.BotId}", new { to = "15550009999", template_name = "hello_world", language_code = "en_US" }),
            Expect.Writers(HttpStatusCode.Conflict), Setup: s => s.CreateBotAsync());
        yield return new("POST /whatsapp/send/text?bot_id",
            s => (HttpMethod.Post, $"/whatsapp/send/text?bot_id={s.BotId}", new { to = "15550009999", text = "Hi" }),
            Expect.Writers(HttpStatusCode.Conflict), Setup: s => s.CreateBotAsync());
        yield return new("POST /whatsapp/send/media?bot_id",
            s => (HttpMethod.Post, $"/whatsapp/send/media?bot_id={s.BotId}", new { to = "15550009999", media_type = "image", link = "https://example.com/a.png" }),
            Expect.Writers(HttpStatusCode.Conflict), Setup: s => s.CreateBotAsync());
        yield return new("POST /whatsapp/send/interactive?bot_id",
            s => (HttpMethod.Post, $"/whatsapp/send/interactive?bot_id={s.BotId}",
                new { to = "15550009999", type = "button", body = "Pick", buttons = new[] { new { id = "yes", title = "Yes" } } }),
            Expect.Writers(HttpStatusCode.Conflict), Setup: s => s.CreateBotAsync());
        yield return new("GET /whatsapp/messages/{bot_id}",
            s => (HttpMethod.Get, $"/whatsapp/messages/{s.BotId}?limit=10", null), Expect.AnyMember(), Setup: s => s.CreateBotAsync());
    }
}
