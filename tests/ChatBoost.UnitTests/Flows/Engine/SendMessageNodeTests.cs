using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.WhatsApp;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

public class SendMessageNodeTests
{
    private static (long, string, string) Send(long id, string content, long? next, string type = "text") =>
        Node(id, FlowNodeTypes.SendMessage, $$"""{"message_type":"{{type}}","content":{{content}},"next":{{N(next)}}}""");

    private static OutboundMessage Message(StepOutcome outcome) => SingleEffect<SendMessageEffect>(outcome).Message;

    [Fact]
    public void ATextMessageIsRenderedAndWaitsForTheSendResult()
    {
        var program = Program(Send(1, """{"text":"Hello {{contact.first_name}}!","preview_url":true}""", 2), SendText(2, "Bye", null));
        var outcome = Start(program);

        Assert.Equal(ExecutionStatus.Running, outcome.State.Status);
        Assert.Equal(PendingEffectKind.Send, outcome.State.PendingEffect);
        Assert.Equal(1, outcome.State.CurrentNodeId);
        var effect = SingleEffect<SendMessageEffect>(outcome);
        Assert.Equal(1, effect.NodeId);
        Assert.Equal(new OutboundText(Phone, "Hello Ana!", PreviewUrl: true), effect.Message);
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.MessageQueued && l.NodeId == 1 && l.NodeType == FlowNodeTypes.SendMessage);
        Assert.Equal((1, 1), (outcome.State.StepsThisRun, outcome.State.TotalSteps));
    }

    [Fact]
    public void ASuccessfulSendContinuesAtNext()
    {
        var program = Program(SendText(1, "One", 2), SendText(2, "Two", null));
        var first = Start(program);
        var second = Sent(program, first);
        Assert.Equal("Two", SentText(second));
        Assert.Equal(2, second.State.CurrentNodeId);
        Assert.Contains(second.Logs, l => l.Event == StepLogEvents.MessageSent && l.NodeId == 1);

        var done = Sent(program, second);
        AssertCompleted(done);
        Assert.Empty(done.Effects);
        Assert.Equal(T0, done.State.EndedAt);
    }

    [Fact]
    public void AFailedSendFailsTheExecution()
    {
        var program = Program(SendText(1, "One", 2), SendText(2, "Two", null));
        var outcome = Apply(program, Start(program).State, new SendCompletedEvent(false, "131047: re-engagement message"));
        AssertFailed(outcome, 1, "send_message node 1: 131047: re-engagement message");
        Assert.Equal("send_message node 1: 131047: re-engagement message", outcome.State.Error);
        Assert.Empty(outcome.Effects);
    }

    [Fact]
    public void AFailedSendWithoutAReasonStillSaysWhy()
    {
        var program = Program(SendText(1, "One", null));
        AssertFailed(Apply(program, Start(program).State, new SendCompletedEvent(false, null)), 1, "send_message node 1: the message could not be sent");
    }

    [Fact]
    public void SendResultsAreIgnoredWhenNoSendIsPending()
    {
        var program = Program(WaitSeconds(1, 60, null));
        var waiting = Start(program).State;
        var outcome = Apply(program, waiting, new SendCompletedEvent(true, null));
        AssertUnchanged(waiting, outcome);
        var log = Assert.Single(outcome.Logs);
        Assert.Equal((StepLogEvents.Ignored, StepLogLevels.Warning), (log.Event, log.Level));
    }

    [Fact]
    public void ATemplateIsMappedWithRenderedParameters()
    {
        var program = Program(Send(1, """
            {"template_name":"order_update","language_code":"en_US","components":[
              {"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.com/o/{{state.order}}.png"}}]},
              {"type":"body","parameters":[{"type":"text","text":"{{contact.first_name}}"},{"type":"text","parameter_name":"total","text":"{{state.total}}"}]},
              {"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"stop-{{state.order}}"}]},
              {"type":"button","sub_type":"url","index":1,"parameters":[{"type":"text","text":"track/{{state.order}}"}]},
              {"type":"header","parameters":[{"type":"document","document":{"id":"{{state.doc}}","filename":"Invoice {{state.order}}.pdf"}}]}
            ]}
            """, null, "template"));
        var outcome = Start(program, variablesJson: """{"order":"A 7","total":12.50,"doc":"998877"}""");
        var template = Assert.IsType<OutboundTemplate>(Message(outcome));
        Assert.Equal(("order_update", "en_US"), (template.Name, template.LanguageCode));
        var c = template.Components!;
        Assert.Equal(5, c.Count);
        Assert.Equal(new TemplateParameter("image", MediaLink: "https://cdn.example.com/o/A%207.png"), Assert.Single(c[0].Parameters));
        Assert.Equal("body", c[1].Type);
        Assert.Equal([TemplateParameter.Text("Ana"), TemplateParameter.Text("12.5", "total")], c[1].Parameters);
        Assert.Equal(("button", "quick_reply", (int?)0), (c[2].Type, c[2].SubType, c[2].Index));
        Assert.Equal(TemplateParameter.Payload("stop-A 7"), Assert.Single(c[2].Parameters));
        Assert.Equal(("url", (int?)1), (c[3].SubType, c[3].Index));
        Assert.Equal(TemplateParameter.Text("track/A 7"), Assert.Single(c[3].Parameters));
        Assert.Equal(new TemplateParameter("document", MediaId: "998877", Filename: "Invoice A 7.pdf"), Assert.Single(c[4].Parameters));
    }

    [Fact]
    public void ATemplateWithoutComponentsHasNone()
    {
        var program = Program(Send(1, """{"template_name":"hello_world","language_code":"en"}""", null, "template"));
        var template = Assert.IsType<OutboundTemplate>(Message(Start(program)));
        Assert.Null(template.Components);
    }

    [Theory]
    [InlineData("""[{"type":"body","parameters":[{"type":"currency","currency":{"code":"USD"}}]}]""", "parameter type 'currency' is not supported")]
    [InlineData("""[{"parameters":[]}]""", "components[0].type is required")]
    [InlineData("""[{"type":"body","parameters":[{"type":"text"}]}]""", "components[0].parameters[0].text is required")]
    [InlineData("""[{"type":"button","index":"x","parameters":[]}]""", "components[0].index must be a non-negative integer")]
    [InlineData("""["body"]""", "components[0] must be an object")]
    [InlineData("""[{"type":"header","parameters":[{"type":"image","image":{}}]}]""", "needs exactly one of id and link")]
    public void MalformedTemplateComponentsFailTheStep(string components, string reason)
    {
        var program = Program(Send(1, $$"""{"template_name":"t","language_code":"en","components":{{components}}}""", null, "template"));
        AssertFailed(Start(program), 1, reason);
    }

    [Theory]
    [InlineData("image", """{"type":"image","link":"https://cdn.example.com/menu.png","caption":"Menu for {{contact.first_name}}"}""", MediaKind.Image, null, "https://cdn.example.com/menu.png", "Menu for Ana", null)]
    [InlineData("video", """{"type":"video","id":"1013859600285441","caption":"How it works"}""", MediaKind.Video, "1013859600285441", null, "How it works", null)]
    [InlineData("audio", """{"type":"audio","id":"{{state.audio_id}}"}""", MediaKind.Audio, "555", null, null, null)]
    [InlineData("document", """{"type":"document","link":"https://cdn.example.com/i/{{state.invoice_id}}.pdf","filename":"invoice {{state.invoice_id}}.pdf"}""", MediaKind.Document, null, "https://cdn.example.com/i/INV%2F7%3Fx%3D1.pdf", null, "invoice INV/7?x=1.pdf")]
    [InlineData("sticker", """{"type":"sticker","id":"1013859600285443"}""", MediaKind.Sticker, "1013859600285443", null, null, null)]
    [InlineData("caption", """{"type":"image","id":"1","caption":"{{state.nothing}}"}""", MediaKind.Image, "1", null, null, null)]
    public void MediaMessagesAreRendered(string _, string content, MediaKind kind, string? id, string? link, string? caption, string? filename)
    {
        var program = Program(Send(1, content, null, "media"));
        var outcome = Start(program, variablesJson: """{"audio_id":555,"invoice_id":"INV/7?x=1"}""");
        Assert.Equal(new OutboundMedia(Phone, kind, id, link, caption, filename), Message(outcome));
    }

    [Fact]
    public void AMediaIdThatRendersEmptyFailsTheStep()
    {
        var program = Program(Send(1, """{"type":"image","id":"{{state.media}}"}""", null, "media"));
        AssertFailed(Start(program), 1, "send_message node 1: the media id is empty after rendering");
    }

    [Fact]
    public void ReplyButtonsAreRenderedWithLiteralIds()
    {
        var program = Program(Send(1, """
            {"type":"button","header":{"type":"text","text":"Welcome {{contact.first_name}}"},
             "body":"Hi {{contact.first_name}}, join the club?","footer":"Reply any time",
             "buttons":[{"id":"yes","title":"Yes {{state.n}}"},{"id":"no","title":"No thanks"}]}
            """, 2, "interactive"), WaitReply(2, null, null));
        var buttons = Assert.IsType<OutboundButtons>(Message(Start(program, variablesJson: """{"n":"Ana"}""")));
        Assert.Equal(("Hi Ana, join the club?", "Welcome Ana", "Reply any time"), (buttons.Body, buttons.HeaderText, buttons.Footer));
        Assert.Equal([new ChatBoost.Grains.WhatsApp.ReplyButton("yes", "Yes Ana"), new ChatBoost.Grains.WhatsApp.ReplyButton("no", "No thanks")], buttons.Buttons);
    }

    [Fact]
    public void ReplyButtonsWithAMediaHeaderAreNotSupportedYet()
    {
        var program = Program(Send(1, """
            {"type":"button","header":{"type":"image","link":"https://cdn.example.com/a.png"},"body":"Pick","buttons":[{"id":"a","title":"A"}]}
            """, null, "interactive"));
        AssertFailed(Start(program), 1, "send_message node 1: media headers on reply buttons are not supported yet");
    }

    [Fact]
    public void ButtonTitlesThatRenderAlikeFailTheStep()
    {
        var program = Program(Send(1, """
            {"type":"button","body":"Pick","buttons":[{"id":"a","title":"{{state.x}}A"},{"id":"b","title":"A{{state.y}}"}]}
            """, null, "interactive"));
        AssertFailed(Start(program), 1, "two buttons have the title 'A'");
    }

    [Fact]
    public void AListIsRendered()
    {
        var program = Program(Send(1, """
            {"type":"list","header":{"type":"text","text":"Topics"},"body":"What interests you, {{contact.first_name}}?","button":"Topics",
             "footer":"{{state.none}}",
             "sections":[{"title":"Food","rows":[{"id":"pizza","title":"Pizza","description":"Fridays {{state.time}}"}]},
                         {"title":"Sport","rows":[{"id":"run","title":"Running"}]}]}
            """, null, "interactive"));
        var list = Assert.IsType<OutboundList>(Message(Start(program, variablesJson: """{"time":"8pm"}""")));
        Assert.Equal(("What interests you, Ana?", "Topics", "Topics", (string?)null), (list.Body, list.ButtonText, list.HeaderText, list.Footer));
        Assert.Equal(2, list.Sections.Count);
        Assert.Equal(new ChatBoost.Grains.WhatsApp.ListRow("pizza", "Pizza", "Fridays 8pm"), Assert.Single(list.Sections[0].Rows));
        Assert.Equal(("Sport", "run", (string?)null), (list.Sections[1].Title, list.Sections[1].Rows[0].Id, list.Sections[1].Rows[0].Description));
    }

    [Fact]
    public void TextOverMetasLimitAfterRenderingFailsTheStep()
    {
        var program = Program(SendText(1, "{{state.long}}", null));
        var outcome = Start(program, variablesJson: $$"""{"long":"{{new string('x', 4097)}}"}""");
        AssertFailed(outcome, 1, "send_message node 1: the text is 4097 characters after rendering; WhatsApp allows at most 4096");
    }

    [Theory]
    [InlineData(20, true)]
    [InlineData(21, false)]
    public void ButtonTitlesAreCheckedAfterRendering(int length, bool sent)
    {
        var program = Program(Send(1, """{"type":"button","body":"Pick","buttons":[{"id":"a","title":"{{state.t}}"}]}""", null, "interactive"));
        var outcome = Start(program, variablesJson: $$"""{"t":"{{new string('b', length)}}"}""");
        if (sent)
        {
            Assert.Equal(new string('b', length), Assert.IsType<OutboundButtons>(Message(outcome)).Buttons[0].Title);
        }
        else
        {
            AssertFailed(outcome, 1, "the title of button 'a' is 21 characters after rendering; WhatsApp allows at most 20");
        }
    }

    [Fact]
    public void TextThatRendersEmptyFailsTheStep()
    {
        var program = Program(SendText(1, "{{state.nothing}}", null));
        var outcome = Start(program);
        AssertFailed(outcome, 1, "the text is empty after rendering");
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.PlaceholderMissing);
    }
}
