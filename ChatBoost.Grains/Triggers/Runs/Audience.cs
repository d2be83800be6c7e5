using System.Globalization;
using System.Text.Json;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>One attribute a contact of the audience must have: <see cref="Value"/> compared by the contact search's
/// typed rule (the attribute's own type), or, when null, the attribute must be absent.</summary>
public sealed record AudienceFilter(string Key, string? Value);

/// <summary>
/// A schedule trigger's <c>audience</c>, pure: absent, <c>{}</c> or <c>{"attributes": {}}</c> is every opted-in contact of
/// the bot; <c>{"attributes": {"plan": "gold", "vip": true, "age": 30, "churned": null}}</c> keeps the contacts whose
/// attributes all match. A JSON number or boolean is searched as its text (<c>30</c>, <c>true</c>), so it matches a
/// number or boolean attribute of that value, and a string attribute holding exactly that text — the contact search's
/// rule (<c>GET /contacts/search/by-attribute</c>), reused as it is. Checked on write by <see cref="TriggerRules"/>.
/// </summary>
public sealed record Audience(IReadOnlyList<AudienceFilter> Filters)
{
    public static readonly Audience Everyone = new([]);

    public static Audience Parse(string? json)
    {
        if (json is null)
        {
            return Everyone;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("attributes", out var attributes)
            || attributes.ValueKind != JsonValueKind.Object)
        {
            return Everyone;
        }

        var filters = new List<AudienceFilter>();
        foreach (var property in attributes.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            filters.Add(new AudienceFilter(property.Name, property.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => property.Value.GetRawText(),
                _ => throw new InvalidOperationException($"audience.attributes.{property.Name} is not a scalar (the trigger rules refuse it)."),
            }));
        }

        return new Audience(filters);
    }

    public override string ToString() => Filters.Count == 0
        ? "every opted-in contact"
        : string.Join(", ", Filters.Select(f => f.Value is null ? $"{f.Key} absent" : string.Create(CultureInfo.InvariantCulture, $"{f.Key} = {f.Value}")));
}
