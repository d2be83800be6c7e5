using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.UnitTests.Flows;

public class PlaceholdersTests
{
    [Theory]
    [InlineData("{{contact.phone}}", PlaceholderKind.ContactPhone, null)]
    [InlineData("{{contact.name}}", PlaceholderKind.ContactName, null)]
    [InlineData("{{contact.first_name}}", PlaceholderKind.ContactFirstName, null)]
    [InlineData("{{contact.last_name}}", PlaceholderKind.ContactLastName, null)]
    [InlineData("{{contact.attribute.preferred_language}}", PlaceholderKind.ContactAttribute, "preferred_language")]
    [InlineData("{{contact.attribute.a.b-c}}", PlaceholderKind.ContactAttribute, "a.b-c")]
    [InlineData("{{state.user_response}}", PlaceholderKind.State, "user_response")]
    [InlineData("{{now}}", PlaceholderKind.Now, null)]
    [InlineData("{{ state.x }}", PlaceholderKind.State, "x")]
    [InlineData("{{\tnow\n}}", PlaceholderKind.Now, null)]
    public void WellFormedPlaceholdersParse(string text, PlaceholderKind kind, string? name)
    {
        var scan = Placeholders.Scan(text);
        Assert.Empty(scan.Errors);
        var occurrence = Assert.Single(scan.Occurrences);
        Assert.Equal((0, text.Length, kind, name), (occurrence.Start, occurrence.Length, occurrence.Reference.Kind, occurrence.Reference.Name));
    }

    [Fact]
    public void StatePathsKeepTheirSegments()
    {
        Assert.True(Placeholders.TryParseReference("state.api_result.items.0.name", out var reference, out _));
        Assert.Equal("api_result", reference!.Name);
        Assert.Equal(["items", "0", "name"], reference.Path);
    }

    [Theory]
    [InlineData("Hi {{state.x", FlowProblemCodes.PlaceholderUnclosed)]
    [InlineData("{{}}", FlowProblemCodes.PlaceholderEmpty)]
    [InlineData("{{   }}", FlowProblemCodes.PlaceholderEmpty)]
    [InlineData("{{user.name}}", FlowProblemCodes.PlaceholderUnknownRoot)]
    [InlineData("{{1}}", FlowProblemCodes.PlaceholderUnknownRoot)]
    [InlineData("{{contact}}", FlowProblemCodes.PlaceholderUnknownField)]
    [InlineData("{{contact.email}}", FlowProblemCodes.PlaceholderUnknownField)]
    [InlineData("{{now.date}}", FlowProblemCodes.PlaceholderUnknownField)]
    [InlineData("{{contact.attribute}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{contact.attribute.}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{contact.attribute.my key}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{state}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{state.}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{state.1x}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{state.a..b}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{state. x}}", FlowProblemCodes.PlaceholderInvalidName)]
    [InlineData("{{{state.x}}}", FlowProblemCodes.PlaceholderUnknownRoot)]
    [InlineData("{{State.x}}", FlowProblemCodes.PlaceholderUnknownRoot)]
    public void MalformedPlaceholdersAreReported(string text, string code)
    {
        var scan = Placeholders.Scan(text);
        Assert.Empty(scan.Occurrences);
        Assert.Equal(code, Assert.Single(scan.Errors).Code);
    }

    [Fact]
    public void AStateNameIsAtMost64Characters()
    {
        Assert.Empty(Placeholders.Scan($"{{{{state.{new string('a', 64)}}}}}").Errors);
        Assert.Single(Placeholders.Scan($"{{{{state.{new string('a', 65)}}}}}").Errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("a { b } c")]
    [InlineData("json {\"a\": 1}")]
    [InlineData("closing only }}")]
    public void TextWithoutPlaceholdersHasNone(string text) => Assert.False(Placeholders.Scan(text).HasPlaceholders);

    [Fact]
    public void ValidAndMalformedPlaceholdersAreBothFound()
    {
        var scan = Placeholders.Scan("{{state.a}} {{bad}} {{now}}");
        Assert.Equal(["state.a", "now"], scan.Occurrences.Select(o => o.Reference.Expression));
        Assert.Equal(12, Assert.Single(scan.Errors).Start);
    }

    [Fact]
    public void ReferencesCompareByExpression()
    {
        Placeholders.TryParseReference("state.a.b", out var first, out _);
        Placeholders.TryParseReference("state.a.b", out var second, out _);
        Assert.Equal(first, second);
        Assert.Equal(first!.GetHashCode(), second!.GetHashCode());
    }

    private static string? Resolve(PlaceholderRef reference) => reference.Expression switch
    {
        "contact.first_name" => "Ada",
        "state.a" => "1",
        "state.b" => "2",
        "state.braces" => "{{state.a}}",
        _ => null,
    };

    [Theory]
    [InlineData("Hello {{contact.first_name}}!", "Hello Ada!")]
    [InlineData("Hello {{ contact.first_name }}!", "Hello Ada!")]
    [InlineData("[{{state.missing}}]", "[]")]
    [InlineData("{{state.a}}{{state.b}}", "12")]
    [InlineData("{{state.a}}{{state.missing}}{{state.b}}", "12")]
    [InlineData("{ not a placeholder }", "{ not a placeholder }")]
    [InlineData("{x} and {{state.a}}", "{x} and 1")]
    [InlineData("{{{state.a}}}", "{{{state.a}}}")]
    [InlineData("{{state.a}}}", "1}")]
    [InlineData("{{bad.root}} {{state.a}}", "{{bad.root}} 1")]
    [InlineData("unclosed {{state.a", "unclosed {{state.a")]
    [InlineData("{{state.braces}}", "{{state.a}}")]
    [InlineData("", "")]
    public void RenderReplacesWellFormedPlaceholders(string template, string expected) =>
        Assert.Equal(expected, Placeholders.Render(template, Resolve));

    [Fact]
    public void RenderDoesNotCallTheResolverWithoutPlaceholders()
    {
        Assert.Equal("plain", Placeholders.Render("plain", _ => throw new InvalidOperationException()));
    }
}
