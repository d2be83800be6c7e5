using ChatBoost.Grains.WhatsApp;

namespace ChatBoost.UnitTests.WhatsApp;

public class GraphMessageBodiesTests
{
    private const string Head = "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"16505551234\"";

    [Fact]
    public void Text() => Assert.Equal(
        Head + ""","type":"text","text":{"preview_url":true,"body":"See https://example.com"}}""",
        GraphMessageBodies.Build(new OutboundText("16505551234", "See https://example.com", PreviewUrl: true)));

    [Fact]
    public void TextReplyingToAMessageKeepsAccentsReadable() => Assert.Equal(
        Head + ""","context":{"message_id":"wamid.abc"},"type":"text","text":{"preview_url":false,"body":"Olá \uD83D\uDE00 \"quoted\" <b>"}}""",
        GraphMessageBodies.Build(new OutboundText("16505551234", "Olá 😀 \"quoted\" <b>") { ReplyToWaMessageId = "wamid.abc" }));

    [Fact]
    public void TemplateWithoutComponents() => Assert.Equal(
        Head + ""","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}""",
        GraphMessageBodies.Build(new OutboundTemplate("16505551234", "hello_world", "en_US")));

    [Fact]
    public void TemplateWithHeaderBodyAndButtonParameters()
    {
        var template = new OutboundTemplate("16505551234", "order_update", "pt_BR",
        [
            TemplateComponent.Header(TemplateParameter.Media(MediaKind.Image, link: "https://example.com/a.jpg")),
            TemplateComponent.Body(TemplateParameter.Text("Ann", "first_name"), TemplateParameter.Text("#123")),
            TemplateComponent.QuickReplyButton(0, "STOP"),
            TemplateComponent.UrlButton(1, "track/123"),
        ]);

        Assert.Equal(
            Head + ""","type":"template","template":{"name":"order_update","language":{"code":"pt_BR"},"components":[""" +
            """{"type":"header","parameters":[{"type":"image","image":{"link":"https://example.com/a.jpg"}}]},""" +
            """{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Ann"},{"type":"text","text":"#123"}]},""" +
            """{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"STOP"}]},""" +
            """{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"track/123"}]}]}}""",
            GraphMessageBodies.Build(template));
    }

    [Theory]
    [InlineData(MediaKind.Image, "image")]
    [InlineData(MediaKind.Video, "video")]
    public void MediaByIdWithCaption(MediaKind kind, string type) => Assert.Equal(
        Head + $$$""","type":"{{{type}}}","{{{type}}}":{"id":"1003383421387256","caption":"Look"}}""",
        GraphMessageBodies.Build(new OutboundMedia("16505551234", kind, MediaId: "1003383421387256", Caption: "Look")));

    [Fact]
    public void DocumentByLinkWithFilename() => Assert.Equal(
        Head + ""","type":"document","document":{"link":"https://example.com/i.pdf","caption":"Invoice","filename":"invoice.pdf"}}""",
        GraphMessageBodies.Build(new OutboundMedia("16505551234", MediaKind.Document, Link: "https://example.com/i.pdf", Caption: "Invoice", Filename: "invoice.pdf")));

    [Theory]
    [InlineData(MediaKind.Audio, "audio")]
    [InlineData(MediaKind.Sticker, "sticker")]
    public void AudioAndStickerById(MediaKind kind, string type) => Assert.Equal(
        Head + $$$""","type":"{{{type}}}","{{{type}}}":{"id":"42"}}""",
        GraphMessageBodies.Build(new OutboundMedia("16505551234", kind, MediaId: "42")));

    [Fact]
    public void Buttons() => Assert.Equal(
        Head + ""","type":"interactive","interactive":{"type":"button","header":{"type":"text","text":"Order"},"body":{"text":"Confirm?"},"footer":{"text":"Shop"},""" +
        "\"action\":" + """{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}},{"type":"reply","reply":{"id":"no","title":"No"}}]}}}""",
        GraphMessageBodies.Build(new OutboundButtons("16505551234", "Confirm?", [new("yes", "Yes"), new("no", "No")], HeaderText: "Order", Footer: "Shop")));

    [Fact]
    public void List() => Assert.Equal(
        Head + ""","type":"interactive","interactive":{"type":"list","body":{"text":"Pick one"},"action":{"button":"Options","sections":[""" +
        """{"title":"Fast","rows":[{"id":"express","title":"Express","description":"Next day"}]},""" +
        """{"title":"Cheap","rows":[{"id":"ground","title":"Ground"}]}]}}}""",
        GraphMessageBodies.Build(new OutboundList("16505551234", "Pick one", "Options",
        [
            new("Fast", [new("express", "Express", "Next day")]),
            new("Cheap", [new("ground", "Ground")]),
        ])));

    [Fact]
    public void OnlyTemplatesMayLeaveTheCustomerWindow()
    {
        Assert.True(new OutboundTemplate("1", "t", "en").IsTemplate);
        Assert.False(new OutboundText("1", "hi").IsTemplate);
        Assert.False(new OutboundMedia("1", MediaKind.Image, MediaId: "1").IsTemplate);
    }

    public static TheoryData<OutboundMessage> Invalid => new()
    {
        new OutboundText("", "hi"),
        new OutboundText("1", ""),
        new OutboundText("1", new string('a', 4097)),
        new OutboundTemplate("1", "", "en"),
        new OutboundTemplate("1", "t", ""),
        new OutboundTemplate("1", "t", "en", [TemplateComponent.Header(TemplateParameter.Media(MediaKind.Image))]),
        new OutboundMedia("1", MediaKind.Image),
        new OutboundMedia("1", MediaKind.Image, MediaId: "1", Link: "https://example.com/a.jpg"),
        new OutboundMedia("1", MediaKind.Audio, MediaId: "1", Caption: "no"),
        new OutboundMedia("1", MediaKind.Sticker, MediaId: "1", Caption: "no"),
        new OutboundMedia("1", MediaKind.Image, MediaId: "1", Filename: "a.jpg"),
        new OutboundMedia("1", MediaKind.Image, MediaId: "1", Caption: new string('a', 1025)),
        new OutboundButtons("1", "Body", []),
        new OutboundButtons("1", "Body", [new("a", "A"), new("b", "B"), new("c", "C"), new("d", "D")]),
        new OutboundButtons("1", "Body", [new("a", "A"), new("a", "B")]),
        new OutboundButtons("1", "Body", [new("a", new string('t', 21))]),
        new OutboundButtons("1", "", [new("a", "A")]),
        new OutboundButtons("1", "Body", [new("a", "A")], HeaderText: new string('h', 61)),
        new OutboundList("1", "Body", "Menu", []),
        new OutboundList("1", "Body", "", [new(null, [new("a", "A")])]),
        new OutboundList("1", "Body", "Menu", [new(null, [])]),
        new OutboundList("1", "Body", "Menu", [new("S", Enumerable.Range(0, 11).Select(i => new ListRow($"r{i}", "Row")).ToList())]),
        new OutboundList("1", "Body", "Menu", [new("S", [new("a", new string('t', 25))])]),
        new OutboundList("1", "Body", "Menu", [new("S", [new("a", "A", new string('d', 73))])]),
        new OutboundList("1", "Body", "Menu", [new("S1", [new("a", "A")]), new(null, [new("b", "B")])]),
        new OutboundList("1", "Body", "Menu", [new("S", [new("a", "A"), new("a", "B")])]),
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidMessagesAreRefusedBeforeSending(OutboundMessage message)
    {
        Assert.NotEmpty(GraphMessageBodies.Validate(message));
        Assert.Throws<ArgumentException>(() => GraphMessageBodies.BuildUtf8(message));
    }

    [Fact]
    public void LimitsAreInclusive()
    {
        Assert.Empty(GraphMessageBodies.Validate(new OutboundText("1", new string('a', 4096))));
        Assert.Empty(GraphMessageBodies.Validate(new OutboundButtons("1", "Body", [new("a", "A"), new("b", "B"), new("c", new string('t', 20))])));
        Assert.Empty(GraphMessageBodies.Validate(new OutboundList("1", "Body", "Menu",
            [new("S", Enumerable.Range(0, 10).Select(i => new ListRow($"r{i}", new string('t', 24), new string('d', 72))).ToList())])));
    }
}
