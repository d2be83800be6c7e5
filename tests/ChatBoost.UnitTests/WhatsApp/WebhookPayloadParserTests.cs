using System.Text;
using ChatBoost.Grains.WhatsApp;

namespace ChatBoost.UnitTests.WhatsApp;

public class WebhookPayloadParserTests
{
    private static WebhookParseResult Parse(string json) => WebhookPayloadParser.Parse(Encoding.UTF8.GetBytes(json));

    private static string Envelope(string value, string field = "messages") => $$"""
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{{value}},"field":"{{field}}"}]}]}
        """;

    private static string Messages(params string[] messages) => Envelope($$"""
        {"messaging_product":"whatsapp",
         "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
         "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
         "messages":[{{string.Join(",", messages)}}]}
        """);

    private static InboundMessage Single(string message)
    {
        var result = Parse(Messages(message));
        Assert.True(result.IsValid, result.Problem);
        return Assert.Single(Assert.Single(result.Batches).Messages);
    }

    [Fact]
    public void Text()
    {
        var message = Single("""
            {"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}
            """);

        Assert.Equal("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", message.WaMessageId);
        Assert.Equal("16505551234", message.From);
        Assert.Equal("Sheena Nelson", message.ProfileName);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1749416383), message.Timestamp);
        Assert.Equal("text", message.Type);
        Assert.Equal("Does it come in another color?", message.Text);
        Assert.Null(message.ReplyId);
        Assert.Null(message.Media);
        Assert.Null(message.ContextMessageId);
        Assert.Contains("another color", message.RawJson);
    }

    [Fact]
    public void BatchCarriesMetadataAndBusinessAccount()
    {
        var batch = Assert.Single(Parse(Messages("""{"from":"16505551234","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"x"}}""")).Batches);

        Assert.Equal("106540352242922", batch.PhoneNumberId);
        Assert.Equal("15550783881", batch.DisplayPhoneNumber);
        Assert.Equal("102290129340398", batch.BusinessAccountId);
        Assert.Empty(batch.Statuses);
    }

    [Theory]
    [InlineData("image", "image/jpeg", "A photo", null)]
    [InlineData("video", "video/mp4", "A clip", null)]
    [InlineData("document", "application/pdf", "The invoice", "invoice.pdf")]
    [InlineData("audio", "audio/ogg; codecs=opus", null, null)]
    [InlineData("sticker", "image/webp", null, null)]
    public void Media(string type, string mimeType, string? caption, string? filename)
    {
        var captionJson = caption is null ? "" : $",\"caption\":\"{caption}\"";
        var filenameJson = filename is null ? "" : $",\"filename\":\"{filename}\"";
        var message = Single($$$"""
            {"from":"16505551234","id":"wamid.m","timestamp":"1749416383","type":"{{{type}}}",
             "{{{type}}}":{"mime_type":"{{{mimeType}}}","sha256":"WfmPQrHk0yVsXVONFtuxGbpAbTaNkb46cwBIKvmIhMk=","id":"1003383421387256"{{{captionJson}}}{{{filenameJson}}}}}
            """);

        Assert.Equal(type, message.Type);
        Assert.NotNull(message.Media);
        Assert.Equal("1003383421387256", message.Media.Id);
        Assert.Equal(mimeType, message.Media.MimeType);
        Assert.Equal("WfmPQrHk0yVsXVONFtuxGbpAbTaNkb46cwBIKvmIhMk=", message.Media.Sha256);
        Assert.Equal(caption, message.Media.Caption);
        Assert.Equal(filename, message.Media.Filename);
        Assert.Equal(caption, message.Text);
    }

    [Fact]
    public void Location()
    {
        var message = Single("""
            {"from":"16505551234","id":"wamid.l","timestamp":"1749416383","type":"location",
             "location":{"address":"1 Hacker Way, Menlo Park, CA 94025","latitude":37.483307,"longitude":-122.148981,"name":"Meta Headquarters","url":"https://meta.com"}}
            """);

        Assert.Equal(new InboundLocation(37.483307, -122.148981, "Meta Headquarters", "1 Hacker Way, Menlo Park, CA 94025"), message.Location);
        Assert.Null(message.Text);
    }

    [Fact]
    public void ButtonReply()
    {
        var message = Single("""
            {"context":{"from":"15550783881","id":"wamid.original"},"from":"16505551234","id":"wamid.b","timestamp":"1749416383","type":"interactive",
             "interactive":{"type":"button_reply","button_reply":{"id":"change-button","title":"Change"}}}
            """);

        Assert.Equal("interactive", message.Type);
        Assert.Equal("Change", message.Text);
        Assert.Equal("change-button", message.ReplyId);
        Assert.Equal("wamid.original", message.ContextMessageId);
    }

    [Fact]
    public void ListReply()
    {
        var message = Single("""
            {"context":{"from":"15550783881","id":"wamid.menu"},"from":"16505551234","id":"wamid.lr","timestamp":"1749416383","type":"interactive",
             "interactive":{"type":"list_reply","list_reply":{"id":"priority_express","title":"Priority Mail Express","description":"Next Day to 2 Days"}}}
            """);

        Assert.Equal("Priority Mail Express", message.Text);
        Assert.Equal("priority_express", message.ReplyId);
        Assert.Contains("Next Day to 2 Days", message.RawJson);
    }

    [Fact]
    public void TemplateQuickReplyButton()
    {
        var message = Single("""
            {"context":{"from":"15550783881","id":"wamid.template"},"from":"16505551234","id":"wamid.qr","timestamp":"1749416383","type":"button",
             "button":{"payload":"STOP_PROMOTIONS","text":"Stop promotions"}}
            """);

        Assert.Equal("button", message.Type);
        Assert.Equal("Stop promotions", message.Text);
        Assert.Equal("STOP_PROMOTIONS", message.ReplyId);
    }

    [Fact]
    public void Reaction()
    {
        var message = Single("""
            {"from":"16505551234","id":"wamid.r","timestamp":"1749416383","type":"reaction","reaction":{"message_id":"wamid.ours","emoji":"\uD83D\uDE00"}}
            """);

        Assert.Equal(new InboundReaction("wamid.ours", "😀"), message.Reaction);
        Assert.Null(message.Text);
    }

    [Fact]
    public void ContactsAreKeptRaw()
    {
        var message = Single("""
            {"from":"16505551234","id":"wamid.c","timestamp":"1749416383","type":"contacts",
             "contacts":[{"name":{"formatted_name":"Barbara J. Johnson","first_name":"Barbara"},"phones":[{"phone":"+1 (415) 555-0123","wa_id":"14155550123","type":"MOBILE"}]}]}
            """);

        Assert.Equal("contacts", message.Type);
        Assert.Contains("Barbara J. Johnson", message.RawJson);
    }

    [Fact]
    public void UnsupportedAndUnknownTypesAreKept()
    {
        var result = Parse(Messages(
            """{"from":"16505551234","id":"wamid.u","timestamp":"1749416383","type":"unsupported","errors":[{"code":131051,"title":"Message type unknown"}]}""",
            """{"from":"16505551234","id":"wamid.n","timestamp":"1749416383","type":"hologram","hologram":{"depth":3}}"""));

        var messages = Assert.Single(result.Batches).Messages;
        Assert.Equal(["unsupported", "hologram"], messages.Select(m => m.Type));
        Assert.Contains("131051", messages[0].RawJson);
        Assert.Contains("\"depth\":3", messages[1].RawJson);
    }

    [Fact]
    public void ProfileNameIsMatchedByWaId()
    {
        var json = Envelope("""
            {"messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},
             "contacts":[{"profile":{"name":"Ann"},"wa_id":"111"},{"profile":{"name":"Bob"},"wa_id":"222"}],
             "messages":[{"from":"222","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"hi"}},
                         {"from":"333","id":"wamid.2","timestamp":"1","type":"text","text":{"body":"yo"}}]}
            """);

        var messages = Assert.Single(Parse(json).Batches).Messages;
        Assert.Equal("Bob", messages[0].ProfileName);
        Assert.Null(messages[1].ProfileName);
    }

    [Fact]
    public void Statuses()
    {
        var json = Envelope("""
            {"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
             "statuses":[
               {"id":"wamid.sent","status":"sent","timestamp":"1750263773","recipient_id":"16505551234",
                "conversation":{"id":"6ceb9d929c1d0f6fa8e3b4fc1fbbf5f8","expiration_timestamp":"1750350180","origin":{"type":"utility"}},
                "pricing":{"billable":true,"pricing_model":"CBP","category":"utility"}},
               {"id":"wamid.read","status":"read","timestamp":"1750263774","recipient_id":"16505551234",
                "biz_opaque_callback_data":"0b6f2a1e-9c3d-8e4f-a1b2-c3d4e5f60718"},
               {"id":"wamid.failed","status":"failed","timestamp":"1750263775","recipient_id":"16505551234",
                "errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"Message Undeliverable."},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]},
               {"id":"wamid.odd","status":"warning","timestamp":"1750263776"}]}
            """);

        var statuses = Assert.Single(Parse(json).Batches).Statuses;
        Assert.Equal(4, statuses.Count);

        var sent = statuses[0];
        Assert.Equal(MessageDeliveryStatus.Sent, sent.Status);
        Assert.Equal("sent", sent.RawStatus);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1750263773), sent.Timestamp);
        Assert.Equal("16505551234", sent.RecipientId);
        Assert.Equal("6ceb9d929c1d0f6fa8e3b4fc1fbbf5f8", sent.ConversationId);
        Assert.Equal("utility", sent.PricingCategory);
        Assert.Empty(sent.Errors);

        Assert.Equal(MessageDeliveryStatus.Read, statuses[1].Status);
        Assert.Null(statuses[1].ConversationId);
        Assert.Equal("0b6f2a1e-9c3d-8e4f-a1b2-c3d4e5f60718", statuses[1].CallbackData);
        Assert.Null(sent.CallbackData);

        var failed = statuses[2];
        Assert.Equal(MessageDeliveryStatus.Failed, failed.Status);
        Assert.Equal(new StatusError(131026, "Message undeliverable", "Message undeliverable", "Message Undeliverable."), Assert.Single(failed.Errors));

        Assert.Equal(MessageDeliveryStatus.Unknown, statuses[3].Status);
        Assert.Equal("warning", statuses[3].RawStatus);
    }

    [Fact]
    public void ChangesOtherThanMessagesAreCountedAsIgnored()
    {
        var json = """
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
              {"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":1}},
              {"field":"messages","value":{"metadata":{"phone_number_id":"9"},"messages":[{"from":"1","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"a"}}]}},
              {"field":"account_update","value":{}}]}]}
            """;

        var result = Parse(json);

        Assert.True(result.IsValid);
        Assert.Equal(2, result.IgnoredChanges);
        Assert.Equal("9", Assert.Single(result.Batches).PhoneNumberId);
    }

    [Fact]
    public void UnusableItemsAreSkippedAndCounted()
    {
        var json = Envelope("""
            {"metadata":{"phone_number_id":"9"},
             "messages":[{"from":"1","type":"text"},{"id":"wamid.nofrom"},"not an object",{"from":"1","id":"wamid.ok","type":"text"}],
             "statuses":[{"status":"read"},{"id":"wamid.s"}]}
            """);

        var result = Parse(json);

        var batch = Assert.Single(result.Batches);
        Assert.Equal("wamid.ok", Assert.Single(batch.Messages).WaMessageId);
        Assert.Null(batch.Messages[0].Timestamp);
        Assert.Null(batch.Messages[0].Text);
        Assert.Equal(MessageDeliveryStatus.Unknown, Assert.Single(batch.Statuses).Status);
        Assert.Equal(4, result.SkippedItems);
    }

    [Fact]
    public void AChangeWithoutPhoneNumberIdIsSkipped()
    {
        var result = Parse(Envelope("""{"metadata":{},"messages":[{"from":"1","id":"wamid.1","type":"text"}]}"""));

        Assert.True(result.IsValid);
        Assert.Empty(result.Batches);
        Assert.Equal(1, result.SkippedItems);
    }

    [Fact]
    public void WrongTypesForOptionalFieldsReadAsNull()
    {
        var message = Single("""
            {"from":"16505551234","id":"wamid.w","timestamp":12,"type":"location","text":"not an object",
             "location":{"latitude":"12.5","longitude":true,"name":5},"context":[1,2]}
            """);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(12), message.Timestamp);
        Assert.Null(message.Text);
        Assert.Equal(new InboundLocation(12.5, null, null, null), message.Location);
        Assert.Null(message.ContextMessageId);
    }

    [Theory]
    [InlineData("\"-5\"")]
    [InlineData("\"1e3\"")]
    [InlineData("\"99999999999999999999\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    public void InvalidTimestampsReadAsNull(string timestamp) =>
        Assert.Null(Single("""{"from":"1","id":"wamid.t","timestamp":""" + timestamp + ""","type":"text","text":{"body":"x"}}""").Timestamp);

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("\"whatsapp_business_account\"")]
    [InlineData("{}")]
    [InlineData("""{"object":"page","entry":[]}""")]
    [InlineData("""{"object":7,"entry":[]}""")]
    [InlineData("""{"object":"whatsapp_business_account"}""")]
    [InlineData("""{"object":"whatsapp_business_account","entry":{}}""")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[]} trailing""")]
    public void MalformedPayloadsAreProblems(string json)
    {
        var result = Parse(json);

        Assert.False(result.IsValid);
        Assert.NotNull(result.Problem);
        Assert.Empty(result.Batches);
    }

    [Fact]
    public void AnEmptyEntryListIsValidAndEmpty()
    {
        var result = Parse("""{"object":"whatsapp_business_account","entry":[]}""");

        Assert.True(result.IsValid);
        Assert.Empty(result.Batches);
    }

    [Fact]
    public void MoreThanTheItemLimitIsRefused()
    {
        var message = """{"from":"1","id":"wamid.x","timestamp":"1","type":"text","text":{"body":"x"}}""";
        var atLimit = Parse(Messages(Enumerable.Repeat(message, WebhookPayloadParser.MaxItems).ToArray()));
        var overLimit = Parse(Messages(Enumerable.Repeat(message, WebhookPayloadParser.MaxItems + 1).ToArray()));

        Assert.True(atLimit.IsValid);
        Assert.Equal(WebhookPayloadParser.MaxItems, atLimit.Batches.Single().Messages.Count);
        Assert.False(overLimit.IsValid);
    }

    [Fact]
    public void DeepNestingIsAProblemNotACrash()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var result = Parse("""{"object":"whatsapp_business_account","entry":""" + deep + "}");

        Assert.False(result.IsValid);
    }

    [Fact]
    public void AnEscapedLoneSurrogateIsAProblemNotACrash()
    {
        var result = Parse(Messages("""{"from":"1","id":"wamid.s","timestamp":"1","type":"text","text":{"body":"\ud800"}}"""));

        Assert.False(result.IsValid);
    }

    [Fact]
    public void DuplicateKeysDoNotThrow()
    {
        var result = Parse("""{"object":"whatsapp_business_account","object":"whatsapp_business_account","entry":[],"entry":[]}""");

        Assert.True(result.IsValid);
    }

    [Fact]
    public void TruncationsOfARealPayloadNeverThrow()
    {
        var json = Encoding.UTF8.GetBytes(Messages(
            """{"context":{"id":"wamid.c"},"from":"16505551234","id":"wamid.b","timestamp":"1749416383","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"a","title":"b"}}}""",
            """{"from":"16505551234","id":"wamid.i","timestamp":"1749416383","type":"image","image":{"id":"1","mime_type":"image/jpeg","caption":"c"}}"""));

        for (var length = 0; length <= json.Length; length++)
        {
            var result = WebhookPayloadParser.Parse(json.AsSpan(0, length));
            Assert.Equal(length == json.Length, result.IsValid);
        }
    }

    [Fact]
    public void RandomMutationsNeverThrow()
    {
        var json = Encoding.UTF8.GetBytes(Messages(
            """{"from":"16505551234","id":"wamid.l","timestamp":"1749416383","type":"location","location":{"latitude":1.5,"longitude":2.5}}""",
            """{"from":"16505551234","id":"wamid.r","timestamp":"1749416383","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"x"}}"""));
        var random = new Random(20240601);
        const string alphabet = "{}[]\":,0123456789.-etruflnabc \\";
        int valid = 0, invalid = 0;

        for (var i = 0; i < 5_000; i++)
        {
            var mutated = json.ToArray();
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                mutated[random.Next(mutated.Length)] = random.Next(4) == 0
                    ? (byte)random.Next(256)
                    : (byte)alphabet[random.Next(alphabet.Length)];
            }

            var result = WebhookPayloadParser.Parse(mutated);
            if (!IsJson(mutated))
            {
                // Whatever a mutation breaks, bytes that are not JSON are never a valid payload.
                Assert.False(result.IsValid, $"mutation {i} is not JSON but parsed as valid");
                invalid++;
            }
            else if (result.IsValid)
            {
                // What a valid parse returns is usable: every message has an id and a sender, every status an id.
                Assert.All(result.Batches.SelectMany(b => b.Messages), m =>
                {
                    Assert.False(string.IsNullOrEmpty(m.WaMessageId));
                    Assert.False(string.IsNullOrEmpty(m.From));
                });
                Assert.All(result.Batches.SelectMany(b => b.Statuses), st => Assert.False(string.IsNullOrEmpty(st.WaMessageId)));
                valid++;
            }
        }

        // Both sides were exercised, so the loop above could have failed.
        Assert.True(valid > 0 && invalid > 0, $"{valid} valid and {invalid} invalid mutations");
    }

    private static bool IsJson(byte[] bytes)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(bytes);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            Assert.False(WebhookPayloadParser.Parse(bytes).IsValid);
        }
    }
}
