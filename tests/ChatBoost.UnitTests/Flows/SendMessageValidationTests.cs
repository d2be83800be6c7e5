using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

public class SendMessageValidationTests
{
    private const string Type = FlowNodeTypes.SendMessage;

    private static string Content(string messageType, string content) =>
        $$"""{"message_type": "{{messageType}}", "content": {{content}}, "next": 2}""";

    private static string Buttons(string buttons, string extra = "") =>
        Content("interactive", $$"""{"type": "button", "body": "Pick one"{{extra}}, "buttons": {{buttons}}}""");

    private static string List(string sections, string extra = "") =>
        Content("interactive", $$"""{"type": "list", "body": "Pick one", "button": "Options"{{extra}}, "sections": {{sections}}}""");

    private static string Rows(int count, string title = "Row") =>
        "[" + string.Join(",", Enumerable.Range(1, count).Select(i => $$"""{"id": "r{{i}}", "title": "{{title}}"}""")) + "]";

    [Fact]
    public void MessageTypeIsRequired() =>
        AssertSingleError(Type, """{"content": {"text": "hi"}}""", FlowProblemCodes.MissingField, "config.message_type");

    [Fact]
    public void MessageTypeMustBeKnown() =>
        AssertSingleError(Type, """{"message_type": "image", "content": {}}""", FlowProblemCodes.InvalidValue, "config.message_type");

    [Fact]
    public void ContentIsRequired() =>
        AssertSingleError(Type, """{"message_type": "text"}""", FlowProblemCodes.MissingField, "config.content");

    [Fact]
    public void ContentMustBeAnObject() =>
        AssertSingleError(Type, """{"message_type": "text", "content": "hi"}""", FlowProblemCodes.InvalidType, "config.content");

    // Text.
    [Fact]
    public void TextIsRequired() => AssertSingleError(Type, Content("text", "{}"), FlowProblemCodes.MissingField, "config.content.text");

    [Fact]
    public void TextMustNotBeEmpty() =>
        AssertSingleError(Type, Content("text", """{"text": "  "}"""), FlowProblemCodes.EmptyValue, "config.content.text");

    [Fact]
    public void TextMustBeAString() =>
        AssertSingleError(Type, Content("text", """{"text": 5}"""), FlowProblemCodes.InvalidType, "config.content.text");

    [Fact]
    public void TextUpTo4096CharactersIsAllowed()
    {
        AssertValid(Type, Content("text", $$"""{"text": "{{new string('a', 4096)}}"}"""));
        AssertSingleError(Type, Content("text", $$"""{"text": "{{new string('a', 4097)}}"}"""), FlowProblemCodes.TooLong, "config.content.text");
    }

    [Fact]
    public void LengthsCountCharactersNotUtf16Units()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 20));
        AssertValid(Type, Buttons($$"""[{"id": "a", "title": "{{emoji}}"}]"""));
    }

    [Fact]
    public void UnknownContentFieldIsRefused() =>
        AssertSingleError(Type, Content("text", """{"text": "hi", "caption": "x"}"""), FlowProblemCodes.UnknownField, "config.content.caption");

    [Fact]
    public void PreviewUrlMustBeBoolean() =>
        AssertSingleError(Type, Content("text", """{"text": "hi", "preview_url": "yes"}"""), FlowProblemCodes.InvalidType, "config.content.preview_url");

    [Fact]
    public void MalformedPlaceholderInTextIsReported() =>
        AssertSingleError(Type, Content("text", """{"text": "Hi {{contact.nickname}}"}"""), FlowProblemCodes.PlaceholderUnknownField, "config.content.text");

    [Fact]
    public void TextParsesWithItsPreviewFlag()
    {
        var config = Parse<SendMessageConfig>(Type, Content("text", """{"text": "See https://x.example", "preview_url": true}"""));
        Assert.Equal(new TextMessage("See https://x.example", true), config.Message);
        Assert.Equal(2, config.Next);
    }

    // Template.
    [Fact]
    public void TemplateNeedsNameAndLanguage()
    {
        var problems = Validate(Type, Content("template", "{}"));
        AssertHasError(problems, FlowProblemCodes.MissingField, "config.content.template_name");
        AssertHasError(problems, FlowProblemCodes.MissingField, "config.content.language_code");
    }

    [Fact]
    public void TemplateNameIsLowerCaseLettersDigitsUnderscore() =>
        AssertSingleError(Type, Content("template", """{"template_name": "Hello World", "language_code": "en_US"}"""),
            FlowProblemCodes.InvalidValue, "config.content.template_name");

    [Fact]
    public void TemplateNameCannotBeAPlaceholder() =>
        AssertSingleError(Type, Content("template", """{"template_name": "{{state.t}}", "language_code": "en"}"""),
            FlowProblemCodes.PlaceholderNotAllowed, "config.content.template_name");

    [Fact]
    public void TemplateLanguageCodeIsChecked() =>
        AssertSingleError(Type, Content("template", """{"template_name": "hello_world", "language_code": "English"}"""),
            FlowProblemCodes.InvalidValue, "config.content.language_code");

    [Fact]
    public void TemplateComponentsMustBeAnArray() =>
        AssertSingleError(Type, Content("template", """{"template_name": "hello_world", "language_code": "en", "components": {}}"""),
            FlowProblemCodes.InvalidType, "config.content.components");

    [Fact]
    public void TemplateComponentPlaceholdersAreChecked() =>
        AssertSingleError(Type, Content("template",
                """{"template_name": "hi", "language_code": "en", "components": [{"type": "body", "parameters": [{"type": "text", "text": "{{ }}"}]}]}"""),
            FlowProblemCodes.PlaceholderEmpty, "config.content.components[0].parameters[0].text");

    // Media.
    [Theory]
    [InlineData("image")]
    [InlineData("video")]
    [InlineData("audio")]
    [InlineData("document")]
    [InlineData("sticker")]
    public void EveryMediaTypeIsAcceptedByIdOrLink(string mediaType)
    {
        AssertValid(Type, Content("media", $$"""{"type": "{{mediaType}}", "id": "1013859600285441"}"""));
        AssertValid(Type, Content("media", $$$"""{"type": "{{{mediaType}}}", "link": "https://cdn.example.com/a/{{state.file}}"}"""));
    }

    [Fact]
    public void MediaTypeMustBeKnown() =>
        AssertSingleError(Type, Content("media", """{"type": "gif", "id": "1"}"""), FlowProblemCodes.InvalidValue, "config.content.type");

    [Fact]
    public void MediaNeedsIdOrLink() =>
        AssertSingleError(Type, Content("media", """{"type": "image"}"""), FlowProblemCodes.MissingField, "config.content.id");

    [Fact]
    public void MediaTakesNotBothIdAndLink() =>
        AssertSingleError(Type, Content("media", """{"type": "image", "id": "1", "link": "https://x.example/a.png"}"""),
            FlowProblemCodes.FieldNotAllowed, "config.content.link");

    [Fact]
    public void MediaLinkMustBeHttpUrl() =>
        AssertSingleError(Type, Content("media", """{"type": "image", "link": "ftp://x.example/a.png"}"""),
            FlowProblemCodes.InvalidUrl, "config.content.link");

    [Fact]
    public void CaptionUpTo1024Characters()
    {
        AssertValid(Type, Content("media", $$"""{"type": "video", "id": "1", "caption": "{{new string('c', 1024)}}"}"""));
        AssertSingleError(Type, Content("media", $$"""{"type": "video", "id": "1", "caption": "{{new string('c', 1025)}}"}"""),
            FlowProblemCodes.TooLong, "config.content.caption");
    }

    [Theory]
    [InlineData("audio")]
    [InlineData("sticker")]
    public void AudioAndStickerHaveNoCaption(string mediaType) =>
        AssertSingleError(Type, Content("media", $$"""{"type": "{{mediaType}}", "id": "1", "caption": "hi"}"""),
            FlowProblemCodes.FieldNotAllowed, "config.content.caption");

    [Fact]
    public void OnlyDocumentsHaveAFilename()
    {
        AssertValid(Type, Content("media", """{"type": "document", "id": "1", "filename": "invoice.pdf"}"""));
        AssertSingleError(Type, Content("media", """{"type": "image", "id": "1", "filename": "a.png"}"""),
            FlowProblemCodes.FieldNotAllowed, "config.content.filename");
    }

    // Interactive buttons.
    [Fact]
    public void InteractiveTypeMustBeButtonOrList() =>
        AssertSingleError(Type, Content("interactive", """{"type": "carousel", "body": "x"}"""), FlowProblemCodes.InvalidValue, "config.content.type");

    [Fact]
    public void ThreeButtonsAreAllowedNotFour()
    {
        AssertValid(Type, Buttons("""[{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}]"""));
        AssertSingleError(Type, Buttons("""[{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}, {"id": "d", "title": "D"}]"""),
            FlowProblemCodes.TooManyItems, "config.content.buttons");
    }

    [Fact]
    public void ButtonsMustNotBeEmpty() => AssertSingleError(Type, Buttons("[]"), FlowProblemCodes.EmptyValue, "config.content.buttons");

    [Fact]
    public void ButtonTitleUpTo20Characters() =>
        AssertSingleError(Type, Buttons("""[{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "123456789012345678901"}]"""),
            FlowProblemCodes.TooLong, "config.content.buttons[2].title");

    [Fact]
    public void ButtonIdUpTo256Characters() =>
        AssertSingleError(Type, Buttons($$"""[{"id": "{{new string('i', 257)}}", "title": "A"}]"""),
            FlowProblemCodes.TooLong, "config.content.buttons[0].id");

    [Fact]
    public void ButtonIdsAreUnique() =>
        AssertSingleError(Type, Buttons("""[{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]"""),
            FlowProblemCodes.DuplicateValue, "config.content.buttons[1].id");

    [Fact]
    public void ButtonTitlesAreUnique() =>
        AssertSingleError(Type, Buttons("""[{"id": "a", "title": "Same"}, {"id": "b", "title": "Same"}]"""),
            FlowProblemCodes.DuplicateValue, "config.content.buttons[1].title");

    [Fact]
    public void ButtonIdsAreLiteral() =>
        AssertSingleError(Type, Buttons("""[{"id": "{{state.x}}", "title": "A"}]"""),
            FlowProblemCodes.PlaceholderNotAllowed, "config.content.buttons[0].id");

    [Fact]
    public void ButtonsBodyUpTo1024Characters() =>
        AssertSingleError(Type, Content("interactive", $$"""{"type": "button", "body": "{{new string('b', 1025)}}", "buttons": [{"id": "a", "title": "A"}]}"""),
            FlowProblemCodes.TooLong, "config.content.body");

    [Fact]
    public void FooterUpTo60Characters() =>
        AssertSingleError(Type, Buttons("""[{"id": "a", "title": "A"}]""", $$""", "footer": "{{new string('f', 61)}}" """),
            FlowProblemCodes.TooLong, "config.content.footer");

    [Fact]
    public void TextHeaderUpTo60Characters() =>
        AssertSingleError(Type, Buttons("""[{"id": "a", "title": "A"}]""", $$""", "header": {"type": "text", "text": "{{new string('h', 61)}}"}"""),
            FlowProblemCodes.TooLong, "config.content.header.text");

    [Fact]
    public void ButtonsMayHaveAMediaHeader()
    {
        var config = Parse<SendMessageConfig>(Type, Buttons("""[{"id": "a", "title": "A"}]""", """, "header": {"type": "image", "id": "42"}"""));
        var message = Assert.IsType<ButtonsMessage>(config.Message);
        Assert.Equal(new InteractiveHeader("image", null, new MediaSource("42", null)), message.Header);
        Assert.Equal([new ReplyButton("a", "A")], message.Buttons);
    }

    // Interactive lists.
    [Fact]
    public void AListParses()
    {
        var config = Parse<SendMessageConfig>(Type, List($$"""[{"rows": {{Rows(2)}}}]""", """, "header": {"type": "text", "text": "Menu"}"""));
        var list = Assert.IsType<ListMessage>(config.Message);
        Assert.Equal(("Menu", "Options", 2), (list.HeaderText, list.ButtonText, list.Sections[0].Rows.Count));
    }

    [Fact]
    public void ListHeaderIsTextOnly() =>
        AssertSingleError(Type, List($$"""[{"rows": {{Rows(1)}}}]""", """, "header": {"type": "image", "id": "1"}"""),
            FlowProblemCodes.InvalidValue, "config.content.header.type");

    [Fact]
    public void ListButtonTextIsRequiredAndUpTo20Characters()
    {
        AssertSingleError(Type, Content("interactive", $$"""{"type": "list", "body": "x", "sections": [{"rows": {{Rows(1)}}}]}"""),
            FlowProblemCodes.MissingField, "config.content.button");
        AssertSingleError(Type, Content("interactive", $$"""{"type": "list", "body": "x", "button": "{{new string('b', 21)}}", "sections": [{"rows": {{Rows(1)}}}]}"""),
            FlowProblemCodes.TooLong, "config.content.button");
    }

    [Fact]
    public void TenRowsInTotalAreAllowedNotEleven()
    {
        AssertValid(Type, List($$"""[{"title": "A", "rows": {{Rows(5)}}}, {"title": "B", "rows": {{Rows(5).Replace("\"r", "\"s")}}}]"""));
        AssertSingleError(Type, List($$"""[{"title": "A", "rows": {{Rows(6)}}}, {"title": "B", "rows": {{Rows(5).Replace("\"r", "\"s")}}}]"""),
            FlowProblemCodes.TooManyItems, "config.content.sections");
    }

    [Fact]
    public void AtMostTenSections()
    {
        var sections = "[" + string.Join(",", Enumerable.Range(1, 11).Select(i => $$"""{"title": "S{{i}}", "rows": [{"id": "r{{i}}", "title": "R"}]}""")) + "]";
        var problems = Validate(Type, List(sections));
        AssertHasError(problems, FlowProblemCodes.TooManyItems, "config.content.sections");
    }

    [Fact]
    public void SectionsAndRowsMustNotBeEmpty()
    {
        AssertSingleError(Type, List("[]"), FlowProblemCodes.EmptyValue, "config.content.sections");
        AssertSingleError(Type, List("""[{"rows": []}]"""), FlowProblemCodes.EmptyValue, "config.content.sections[0].rows");
    }

    [Fact]
    public void SectionTitleIsRequiredWhenThereAreSeveralSections() =>
        AssertSingleError(Type, List("""[{"title": "A", "rows": [{"id": "a", "title": "A"}]}, {"rows": [{"id": "b", "title": "B"}]}]"""),
            FlowProblemCodes.MissingField, "config.content.sections[1].title");

    [Fact]
    public void SectionTitleUpTo24Characters() =>
        AssertSingleError(Type, List($$"""[{"title": "{{new string('s', 25)}}", "rows": {{Rows(1)}}}]"""),
            FlowProblemCodes.TooLong, "config.content.sections[0].title");

    [Fact]
    public void RowTitleUpTo24Characters() =>
        AssertSingleError(Type, List($$"""[{"rows": {{Rows(1, new string('t', 25))}}}]"""),
            FlowProblemCodes.TooLong, "config.content.sections[0].rows[0].title");

    [Fact]
    public void RowDescriptionUpTo72Characters() =>
        AssertSingleError(Type, List($$"""[{"rows": [{"id": "a", "title": "A", "description": "{{new string('d', 73)}}"}]}]"""),
            FlowProblemCodes.TooLong, "config.content.sections[0].rows[0].description");

    [Fact]
    public void RowIdUpTo200Characters() =>
        AssertSingleError(Type, List($$"""[{"rows": [{"id": "{{new string('i', 201)}}", "title": "A"}]}]"""),
            FlowProblemCodes.TooLong, "config.content.sections[0].rows[0].id");

    [Fact]
    public void RowIdsAreUniqueAcrossSections() =>
        AssertSingleError(Type, List("""[{"title": "A", "rows": [{"id": "x", "title": "A"}]}, {"title": "B", "rows": [{"id": "x", "title": "B"}]}]"""),
            FlowProblemCodes.DuplicateValue, "config.content.sections[1].rows[0].id");

    [Fact]
    public void ListBodyUpTo4096Characters() =>
        AssertSingleError(Type, Content("interactive", $$"""{"type": "list", "body": "{{new string('b', 4097)}}", "button": "Go", "sections": [{"rows": {{Rows(1)}}}]}"""),
            FlowProblemCodes.TooLong, "config.content.body");

    [Fact]
    public void ListFieldsAreUnknownOnAButtonsMessage() =>
        AssertSingleError(Type, Buttons("""[{"id": "a", "title": "A"}]""", """, "button": "Go" """),
            FlowProblemCodes.UnknownField, "config.content.button");
}
