// Writes N signed inbound-message webhooks, one per line: "<X-Hub-Signature-256 value>\t<compact JSON body>".
// Every body carries one text message with a unique wamid; senders cycle through --senders contacts.
//
//   dotnet Generator.dll --out bodies.tsv --count 100000 --secret S --phone-number-id 100000000000001
//                        [--senders 1000] [--prefix run1]
using ChatBoost.WhatsApp;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

var options = ParseArgs(args);
string Get(string name) => options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
var outPath = Get("out");
var count = int.Parse(Get("count"), CultureInfo.InvariantCulture);
var secret = Get("secret");
var phoneNumberId = Get("phone-number-id");
var senders = int.Parse(options.GetValueOrDefault("senders", "1000"), CultureInfo.InvariantCulture);
var prefix = options.GetValueOrDefault("prefix", Guid.NewGuid().ToString("N")[..12]);
var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

using var writer = new StreamWriter(outPath, false, new UTF8Encoding(false), 1 << 20);
for (var i = 0; i < count; i++)
{
    var waId = (15550000000L + (i % senders)).ToString(CultureInfo.InvariantCulture);
    var wamid = "wamid.BENCH" + prefix + "_" + i.ToString("D9", CultureInfo.InvariantCulture);
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
                    ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = "Bench " + waId }, ["wa_id"] = waId }),
                    ["messages"] = new JsonArray(new JsonObject
                    {
                        ["from"] = waId,
                        ["id"] = wamid,
                        ["timestamp"] = timestamp,
                        ["type"] = "text",
                        ["text"] = new JsonObject { ["body"] = "Hello, I would like to know the opening hours. Message " + i.ToString(CultureInfo.InvariantCulture) },
                    }),
                },
            }),
        }),
    };
    var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
    writer.Write(WebhookSignature.Compute(body, secret));
    writer.Write('\t');
    writer.Write(Encoding.UTF8.GetString(body));
    writer.Write('\n');
}

Console.WriteLine($"wrote {count} signed bodies to {outPath}");
return 0;

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
        {
            throw new ArgumentException($"bad argument '{args[i]}'; expected --name value pairs");
        }

        result[args[i][2..]] = args[++i];
    }

    return result;
}
