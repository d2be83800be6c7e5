using System.Text;
using System.Text.RegularExpressions;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// The interpolation grammar (docs/flows.md, "Placeholders"):
/// <code>
/// placeholder := "{{" ws* reference ws* "}}"
/// reference   := "now" | "contact.phone" | "contact.name" | "contact.first_name" | "contact.last_name"
///              | "contact.attribute." KEY | "state." NAME ("." SEGMENT)*
/// KEY     := [A-Za-z0-9_.-]{1,64}           (everything after "contact.attribute.")
/// NAME    := [A-Za-z_][A-Za-z0-9_]{0,63}
/// SEGMENT := [A-Za-z0-9_-]{1,64}
/// </code>
/// There is no escape: a literal "{{" cannot be written. A single "{" or "}" is ordinary text.
/// </summary>
public static partial class Placeholders
{
    private const string Open = "{{";
    private const string Close = "}}";

    /// <summary>Finds every <c>{{ … }}</c> in <paramref name="text"/>, parsed or reported.</summary>
    public static PlaceholderScan Scan(string text)
    {
        var occurrences = new List<PlaceholderOccurrence>();
        var errors = new List<PlaceholderError>();
        var position = 0;
        while (true)
        {
            var start = text.IndexOf(Open, position, StringComparison.Ordinal);
            if (start < 0)
            {
                break;
            }

            var end = text.IndexOf(Close, start + Open.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                errors.Add(new PlaceholderError(start, FlowProblemCodes.PlaceholderUnclosed,
                    $"'{{{{' at position {start} has no closing '}}}}'."));
                break;
            }

            var inner = text[(start + Open.Length)..end].Trim();
            if (TryParseReference(inner, out var reference, out var error))
            {
                occurrences.Add(new PlaceholderOccurrence(start, end + Close.Length - start, reference!));
            }
            else
            {
                errors.Add(error! with { Start = start });
            }

            position = end + Close.Length;
        }

        return new PlaceholderScan(occurrences, errors);
    }

    /// <summary>True when the text contains a placeholder opening (well formed or not).</summary>
    public static bool ContainsPlaceholder(string text) => text.Contains(Open, StringComparison.Ordinal);

    /// <summary>
    /// Parses a bare reference such as <c>state.user_response</c> (no braces, no surrounding whitespace), as used by a
    /// condition's <c>variable</c> and by <c>store_response_in</c>.
    /// </summary>
    public static bool TryParseReference(string expression, out PlaceholderRef? reference, out PlaceholderError? error)
    {
        reference = null;
        error = null;
        if (expression.Length == 0)
        {
            error = Fail(FlowProblemCodes.PlaceholderEmpty, "The placeholder is empty.");
            return false;
        }

        var dot = expression.IndexOf('.');
        var root = dot < 0 ? expression : expression[..dot];
        var rest = dot < 0 ? null : expression[(dot + 1)..];
        switch (root)
        {
            case "now" when rest is null:
                reference = new PlaceholderRef(PlaceholderKind.Now, expression, null, []);
                return true;
            case "now":
                error = Fail(FlowProblemCodes.PlaceholderUnknownField, "'now' has no fields.");
                return false;
            case "contact":
                return TryParseContact(expression, rest, out reference, out error);
            case "state":
                return TryParseState(expression, rest, out reference, out error);
            default:
                error = Fail(FlowProblemCodes.PlaceholderUnknownRoot,
                    $"'{Shorten(expression)}' must start with 'contact.', 'state.' or be 'now'.");
                return false;
        }
    }

    /// <summary>
    /// Replaces each well-formed placeholder with <paramref name="resolve"/>'s value, or with nothing when it returns
    /// null. Malformed placeholders are left as written.
    /// </summary>
    public static string Render(string template, Func<PlaceholderRef, string?> resolve)
    {
        if (!ContainsPlaceholder(template))
        {
            return template;
        }

        var scan = Scan(template);
        var builder = new StringBuilder(template.Length);
        var position = 0;
        foreach (var occurrence in scan.Occurrences)
        {
            builder.Append(template, position, occurrence.Start - position);
            builder.Append(resolve(occurrence.Reference));
            position = occurrence.Start + occurrence.Length;
        }

        builder.Append(template, position, template.Length - position);
        return builder.ToString();
    }

    private static bool TryParseContact(string expression, string? field, out PlaceholderRef? reference, out PlaceholderError? error)
    {
        reference = null;
        error = null;
        PlaceholderKind? kind = field switch
        {
            "phone" => PlaceholderKind.ContactPhone,
            "name" => PlaceholderKind.ContactName,
            "first_name" => PlaceholderKind.ContactFirstName,
            "last_name" => PlaceholderKind.ContactLastName,
            _ => null,
        };
        if (kind is not null)
        {
            reference = new PlaceholderRef(kind.Value, expression, null, []);
            return true;
        }

        const string attributePrefix = "attribute.";
        if (field == "attribute" || field?.StartsWith(attributePrefix, StringComparison.Ordinal) == true)
        {
            var key = field.Length > attributePrefix.Length ? field[attributePrefix.Length..] : "";
            if (!AttributeKeyPattern().IsMatch(key))
            {
                error = Fail(FlowProblemCodes.PlaceholderInvalidName,
                    $"'{Shorten(expression)}': an attribute key is 1–64 characters of A-Z, a-z, 0-9, '_', '.', '-'.");
                return false;
            }

            reference = new PlaceholderRef(PlaceholderKind.ContactAttribute, expression, key, []);
            return true;
        }

        error = Fail(FlowProblemCodes.PlaceholderUnknownField,
            $"'{Shorten(expression)}': contact fields are phone, name, first_name, last_name and attribute.KEY.");
        return false;
    }

    private static bool TryParseState(string expression, string? rest, out PlaceholderRef? reference, out PlaceholderError? error)
    {
        reference = null;
        error = null;
        var segments = (rest ?? "").Split('.');
        if (!StateNamePattern().IsMatch(segments[0]) || !segments.Skip(1).All(s => PathSegmentPattern().IsMatch(s)))
        {
            error = Fail(FlowProblemCodes.PlaceholderInvalidName,
                $"'{Shorten(expression)}': a state name starts with a letter or '_' and has at most 64 letters, digits or '_'; "
                + "further '.'-separated segments are letters, digits, '_' or '-'.");
            return false;
        }

        reference = new PlaceholderRef(PlaceholderKind.State, expression, segments[0], segments[1..]);
        return true;
    }

    private static PlaceholderError Fail(string code, string message) => new(0, code, message);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}\z")]
    internal static partial Regex AttributeKeyPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,63}\z")]
    private static partial Regex StateNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex PathSegmentPattern();
}
