using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

public class InterpolationTests
{
    private const string State = """
        {"order":{"id":"A-1","items":[{"name":"Pizza","qty":2},{"name":"Cola","qty":1.0}],"total":12.50,"paid":false,"tags":["x","y"],"none":null},
         "big":12345678901234567890,"tiny":0.0000001,"exp":1e3,"neg":-0,"emoji":"😀","text":"{{state.order.id}}"}
        """;

    private static string Render(string template, ContactContext? contact = null, string state = State, List<string>? missing = null) =>
        FlowRendering.Render(template, contact ?? Contact("Ana Maria Souza", ("lang", "string", "pt"), ("age", "number", "25"), ("vip", "boolean", "true"), ("prefs", "json", """{"a": [1, "b"]}""")),
            Vars(state), T0, r => missing?.Add(r.Expression));

    [Theory]
    [InlineData("{{contact.phone}}", "15551234567")]
    [InlineData("{{contact.name}}", "Ana Maria Souza")]
    [InlineData("{{contact.first_name}}", "Ana")]
    [InlineData("{{contact.last_name}}", "Maria Souza")]
    [InlineData("{{ contact.attribute.lang }}", "pt")]
    [InlineData("{{contact.attribute.age}}", "25")]
    [InlineData("{{contact.attribute.vip}}", "true")]
    [InlineData("{{contact.attribute.prefs}}", """{"a":[1,"b"]}""")]
    [InlineData("{{now}}", "2026-01-15T09:30:00Z")]
    [InlineData("{{state.current_time}}", "2026-01-15T09:30:00Z")]
    [InlineData("{{state.order.id}}", "A-1")]
    [InlineData("{{state.order.items.0.name}} x{{state.order.items.0.qty}}", "Pizza x2")]
    [InlineData("{{state.order.items.1.qty}}", "1")]
    [InlineData("{{state.order.total}}", "12.5")]
    [InlineData("{{state.order.paid}}", "false")]
    [InlineData("{{state.order.tags}}", """["x","y"]""")]
    [InlineData("{{state.order.items.1}}", """{"name":"Cola","qty":1.0}""")]
    [InlineData("{{state.big}}", "12345678901234567890")]
    [InlineData("{{state.tiny}}", "1E-07")]
    [InlineData("{{state.exp}}", "1000")]
    [InlineData("{{state.neg}}", "0")]
    [InlineData("{{state.emoji}}", "😀")]
    [InlineData("{{state.text}}", "{{state.order.id}}")]
    [InlineData("a { b } {c}", "a { b } {c}")]
    [InlineData("{{user.name}} and {{ state.bad name }}", "{{user.name}} and {{ state.bad name }}")]
    [InlineData("Hi {{state.order.id", "Hi {{state.order.id")]
    public void ValuesRenderAsText(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{state.missing}}")]
    [InlineData("{{state.order.none}}")]
    [InlineData("{{state.order.items.2.name}}")]
    [InlineData("{{state.order.items.-1}}")]
    [InlineData("{{state.order.items.01}}")]
    [InlineData("{{state.order.id.length}}")]
    [InlineData("{{state.order.tags.x}}")]
    [InlineData("{{state.current_time.year}}")]
    [InlineData("{{contact.attribute.unknown}}")]
    public void MissingValuesRenderEmptyAndAreReported(string template)
    {
        var missing = new List<string>();
        Assert.Equal("", Render(template, missing: missing));
        Assert.Single(missing);
    }

    [Fact]
    public void AStateCurrentTimeVariableWinsOverNow()
    {
        Assert.Equal("yesterday", Render("{{state.current_time}}", state: """{"current_time":"yesterday"}"""));
    }

    [Fact]
    public void OneWordAndEmptyNames()
    {
        var missing = new List<string>();
        Assert.Equal("Cher||Cher", Render("{{contact.first_name}}|{{contact.last_name}}|{{contact.name}}", Contact("  Cher  "), missing: missing));
        Assert.Equal(["contact.last_name"], missing);

        missing.Clear();
        Assert.Equal("||", Render("{{contact.first_name}}|{{contact.last_name}}|{{contact.name}}", Contact(null), missing: missing));
        Assert.Equal(3, missing.Count);

        Assert.Equal("Jean-Luc|de la Tour", Render("{{contact.first_name}}|{{contact.last_name}}", Contact("Jean-Luc \t de la Tour")));
    }

    [Fact]
    public void NowIsUtcToTheSecond()
    {
        var local = new DateTimeOffset(2026, 3, 1, 1, 2, 3, 456, TimeSpan.FromHours(2));
        Assert.Equal("2026-02-28T23:02:03Z", FlowRendering.FormatNow(local));
    }

    [Fact]
    public void AMissingPlaceholderIsLoggedOncePerNodeEvenWhenRepeated()
    {
        var program = Program(
            SendText(1, "{{state.gone}} {{state.gone}} {{contact.attribute.x}} {{state.here}}", 2),
            SendText(2, "again {{state.gone}}", null));
        var first = Start(program, variablesJson: """{"here":"ok"}""");
        Assert.Equal("   ok", SentText(first));
        var warnings = first.Logs.Where(l => l.Event == StepLogEvents.PlaceholderMissing).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal((1L, StepLogLevels.Warning, FlowNodeTypes.SendMessage), (w.NodeId!.Value, w.Level, w.NodeType!)));
        Assert.Contains(warnings, w => w.Detail.Contains("{{state.gone}}", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Detail.Contains("{{contact.attribute.x}}", StringComparison.Ordinal));

        var second = Sent(program, first);
        Assert.Single(second.Logs, l => l.Event == StepLogEvents.PlaceholderMissing && l.NodeId == 2);
    }

    [Fact]
    public void RenderedJsonEscapesEveryValue()
    {
        var template = Json("""{"q":"{{state.v}}","nested":[{"x":"pre {{state.v}} post"}]}""");
        var json = FlowRendering.RenderJsonText(template, t => FlowRendering.Render(t, Contact(), Vars("""{"v":"\"},{\"evil\":true"}"""), T0));
        Assert.Equal("""{"q":"\"},{\"evil\":true","nested":[{"x":"pre \"},{\"evil\":true post"}]}""", json);
    }

    [Fact]
    public void AsTextAndAsNumber()
    {
        Assert.Equal("1.5", FlowRendering.AsText(Json("1.50")));
        Assert.Equal("-1500", FlowRendering.AsText(Json("-1.5e3")));
        Assert.Equal("", FlowRendering.AsText(Json("null")));
        Assert.True(FlowRendering.TryAsNumber(Json("\" 7.25 \""), out var n) && n == 7.25);
        Assert.False(FlowRendering.TryAsNumber(Json("\"7,25\""), out _));
        Assert.False(FlowRendering.TryAsNumber(Json("\"NaN\""), out _));
        Assert.False(FlowRendering.TryAsNumber(Json("true"), out _));
    }
}
