using ChatBoost.WhatsApp;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatBoost.Bench.Conversation;

/// <summary>One inbound-message webhook as Meta posts it: the compact JSON body and its X-Hub-Signature-256 value.</summary>
internal sealed record SignedWebhook(string WaId, string Wamid, byte[] Body, string Signature)
{
    /// <summary>
    /// A text message from a customer nobody has seen before (<paramref name="waId"/> is new), in the shape of
    /// bench/webhook's Generator, signed with the app secret.
    /// </summary>
    public static SignedWebhook NewCustomer(string phoneNumberId, string waId, string wamid, string appSecret)
    {
        var payload = new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = "900000000000001",
                ["changes"] = new JsonArray(new JsonObject
                {
                    ["field"] = "messages",
                    ["value"] = new JsonObject
                    {
                        ["messaging_product"] = "whatsapp",
                        ["metadata"] = new JsonObject { ["display_phone_number"] = "15550009999", ["phone_number_id"] = phoneNumberId },
                        ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = "Bench " + waId[^4..] }, ["wa_id"] = waId }),
                        ["messages"] = new JsonArray(new JsonObject
                        {
                            ["from"] = waId,
                            ["id"] = wamid,
                            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                            ["type"] = "text",
                            ["text"] = new JsonObject { ["body"] = "Hello, I would like to know the opening hours." },
                        }),
                    },
                }),
            }),
        };
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        return new SignedWebhook(waId, wamid, body, WebhookSignature.Compute(body, appSecret));
    }
}
