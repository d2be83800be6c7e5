using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatBoost.FakeGraphApi;

/// <summary>Null-safe reads of untrusted JSON, and JSON responses that need no serializer configuration.</summary>
public static class Json
{
    public static string? Str(JsonObject? node, string name) =>
        node is not null && node.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static double? Num(JsonObject? node, string name)
    {
        if (node is null || !node.TryGetPropertyValue(name, out var value) || value is not JsonValue v)
        {
            return null;
        }

        return v.TryGetValue<double>(out var d) ? d
            : v.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out d) ? d
            : null;
    }

    public static int? Int(JsonObject? node, string name) => Num(node, name) is { } d && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue ? (int)d : null;

    public static JsonObject? Obj(JsonObject? node, string name) =>
        node is not null && node.TryGetPropertyValue(name, out var value) ? value as JsonObject : null;

    /// <summary>The body as a JSON object, or null when it is not one (malformed, duplicate keys, too deep).</summary>
    public static JsonObject? ParseObject(byte[] body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            Touch(node);
            return node as JsonObject;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>JsonObject builds its dictionary lazily; walk it all so a duplicate key fails here, not in a handler.</summary>
    private static void Touch(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var property in obj)
                {
                    Touch(property.Value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Touch(item);
                }

                break;
        }
    }

    public static IResult Result(JsonNode node, int status = StatusCodes.Status200OK) =>
        Results.Text(node.ToJsonString(), "application/json", Encoding.UTF8, status);
}
