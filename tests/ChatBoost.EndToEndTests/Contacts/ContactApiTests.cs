using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Contacts;

/// <summary>Contacts and their typed attributes: create, read, change, set one or many (all or nothing), delete, search.</summary>
[Collection(SystemCollection.Name)]
public class ContactApiTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;

    private HttpClient Http => _system.Http;

    private async Task<(string Token, long OrganizationId, long BotId)> OwnerWithBotAsync(string prefix)
    {
        var owner = await Http.NewUserAsync(prefix);
        return (owner.Token, await Http.PersonalOrganizationAsync(owner.Token), await Http.CreateBotAsync(owner.Token));
    }

    [Fact]
    public async Task AContact_IsCreatedRead_AndChanged_AndExistsOnce()
    {
        var (token, organizationId, botId) = await OwnerWithBotAsync("contact-crud");
        var phone = ContactScenario.NewPhone();

        var (status, contact, response) = await Http.PostJsonAsync("/flows/contacts/", new
        {
            bot_id = botId,
            phone = "+" + phone,
            name = "Ann",
            attributes = new object[]
            {
                new { key = "preferred_language", value = "English" },
                new { key = "age", value = 25, value_type = "number" },
            },
        }, token);
        Assert.True(status == HttpStatusCode.Created, $"{status} {contact?.ToJsonString()}");
        var id = contact!["id"]!.GetValue<long>();
        Assert.Equal($"/contacts/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(botId, contact["bot_id"]!.GetValue<long>());
        Assert.Equal(organizationId, contact["organization_id"]!.GetValue<long>());
        Assert.Equal(phone, contact["phone"]!.GetValue<string>());
        Assert.Equal("Ann", contact["name"]!.GetValue<string>());
        Assert.True(contact["opted_in"]!.GetValue<bool>());
        Assert.NotNull(contact["created_at"]);
        Assert.True(contact.AsObject().ContainsKey("last_inbound_at"));

        // Attributes by default; left out on request; anything but true/false is refused.
        var (_, read, _) = await Http.GetJsonAsync($"/contacts/{id}", token);
        var attributes = read!["attributes"]!.AsArray();
        Assert.Equal(["age", "preferred_language"], attributes.Select(a => a!["key"]!.GetValue<string>()).Order().ToArray());
        var age = attributes.Single(a => a!["key"]!.GetValue<string>() == "age")!;
        Assert.Equal("number", age["value_type"]!.GetValue<string>());
        Assert.Equal(25.0, age["typed_value"]!.GetValue<double>());
        Assert.Equal("English", attributes.Single(a => a!["key"]!.GetValue<string>() == "preferred_language")!["typed_value"]!.GetValue<string>());

        var (_, withTrue, _) = await Http.GetJsonAsync($"/contacts/{id}?include_attributes=true", token);
        Assert.Equal(2, withTrue!["attributes"]!.AsArray().Count);
        var (_, without, _) = await Http.GetJsonAsync($"/contacts/{id}?include_attributes=false", token);
        Assert.False(without!.AsObject().ContainsKey("attributes"), without.ToJsonString());
        var bad = await Http.GetJsonAsync($"/contacts/{id}?include_attributes=maybe", token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, bad);
        Assert.Contains("include_attributes", ErrorFields(bad.Body!));

        // Patch: one field or both; nothing, blank names and unknown fields are refused.
        var (patched, changed, _) = await Http.PatchJsonAsync($"/contacts/{id}", new { name = "Ann B.", opted_in = false }, token);
        Assert.True(patched == HttpStatusCode.OK, $"{patched} {changed?.ToJsonString()}");
        Assert.Equal("Ann B.", changed!["name"]!.GetValue<string>());
        Assert.False(changed["opted_in"]!.GetValue<bool>());
        (patched, changed, _) = await Http.PatchJsonAsync($"/contacts/{id}", new { opted_in = true }, token);
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal("Ann B.", changed!["name"]!.GetValue<string>());
        Assert.True(changed["opted_in"]!.GetValue<bool>());

        var empty = await Http.PatchJsonAsync($"/contacts/{id}", new { }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, empty);
        Assert.Contains("$", ErrorFields(empty.Body!));
        var blank = await Http.PatchJsonAsync($"/contacts/{id}", new { name = "  " }, token);
        Assert.Contains("name", ErrorFields(blank.Body!));
        var unknown = await Http.PatchJsonAsync($"/contacts/{id}", new { name = "X", phone = "15550000000" }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, unknown);
        Assert.Contains("phone", ErrorFields(unknown.Body!));

        // The same bot and phone (with or without +) is the same contact.
        var duplicate = await Http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone }, token);
        AssertProblem(HttpStatusCode.Conflict, duplicate);

        // Listed, newest first, with a total; a stranger neither reads nor lists it.
        var (listed, list, listResponse) = await Http.GetJsonAsync($"/flows/contacts/?bot_id={botId}", token);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal([id], ContactScenario.Ids(list));
        Assert.Equal(1, ContactScenario.TotalCount(listResponse));
        Assert.False(list!.AsArray()[0]!.AsObject().ContainsKey("attributes"));
        var (_, all, _) = await Http.GetJsonAsync("/flows/contacts/", token);
        Assert.Contains(id, ContactScenario.Ids(all));

        var stranger = await Http.NewUserAsync("contact-stranger");
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/contacts/{id}", stranger.Token));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/flows/contacts/?bot_id={botId}", stranger.Token));
        var (_, theirs, _) = await Http.GetJsonAsync("/flows/contacts/", stranger.Token);
        Assert.DoesNotContain(id, ContactScenario.Ids(theirs));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone = ContactScenario.NewPhone() }, stranger.Token));
    }

    [Fact]
    public async Task CreatingAContact_ValidatesEveryField()
    {
        var (token, _, botId) = await OwnerWithBotAsync("contact-validation");

        var missing = await Http.PostJsonAsync("/flows/contacts/", new { name = "No bot" }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, missing);
        Assert.Contains("bot_id", ErrorFields(missing.Body!));
        Assert.Contains("phone", ErrorFields(missing.Body!));

        foreach (var phone in new[] { "12ab5678", "1234", "+", "++15550001111", "123456789012345678901" })
        {
            var bad = await Http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone }, token);
            AssertProblem(HttpStatusCode.UnprocessableEntity, bad);
            Assert.Equal(["phone"], ErrorFields(bad.Body!));
        }

        var longName = await Http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone = ContactScenario.NewPhone(), name = new string('n', 257) }, token);
        Assert.Equal(["name"], ErrorFields(longName.Body!));

        var badAttribute = await Http.PostJsonAsync("/flows/contacts/", new
        {
            bot_id = botId,
            phone = ContactScenario.NewPhone(),
            attributes = new object[] { new { key = "ok", value = "1" }, new { key = "bad key", value = "1" }, new { key = "ok", value = "2" } },
        }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, badAttribute);
        Assert.Contains("attributes[1].key", ErrorFields(badAttribute.Body!));
        Assert.Contains("attributes[2].key", ErrorFields(badAttribute.Body!));

        // A value that does not convert to its type: nothing is created.
        var phone2 = ContactScenario.NewPhone();
        var wrongType = await Http.PostJsonAsync("/flows/contacts/", new
        {
            bot_id = botId,
            phone = phone2,
            attributes = new object[] { new { key = "age", value = "old", value_type = "number" } },
        }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, wrongType);
        Assert.Contains(ErrorFields(wrongType.Body!), f => f.StartsWith("attributes[0]", StringComparison.Ordinal));
        await Http.CreateContactAsync(token, botId, phone2);

        var unknown = await Http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone = ContactScenario.NewPhone(), id = 5 }, token);
        Assert.Equal(["id"], ErrorFields(unknown.Body!));
        var nonPositive = await Http.PostJsonAsync("/flows/contacts/", new { bot_id = 0, phone = ContactScenario.NewPhone() }, token);
        Assert.Equal(["bot_id"], ErrorFields(nonPositive.Body!));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/flows/contacts/", new { bot_id = long.MaxValue, phone = ContactScenario.NewPhone() }, token));
    }

    [Fact]
    public async Task Attributes_AreTyped_SetOneByOne_Read_AndDeleted()
    {
        var (token, _, botId) = await OwnerWithBotAsync("contact-attributes");
        var id = (await Http.CreateContactAsync(token, botId, ContactScenario.NewPhone()))["id"]!.GetValue<long>();

        // As text (the seed's shape) or as a JSON value; typed_value is the value as JSON of its type.
        var language = await Http.SetAttributeAsync(token, id, "preferred_language", "English", "string");
        Assert.Equal("English", language["value"]!.GetValue<string>());
        Assert.Equal("string", language["value_type"]!.GetValue<string>());
        Assert.Equal("English", language["typed_value"]!.GetValue<string>());
        Assert.NotNull(language["created_at"]);
        Assert.True(language.AsObject().ContainsKey("updated_at"));

        Assert.Equal(25.0, (await Http.SetAttributeAsync(token, id, "age", "25", "number"))["typed_value"]!.GetValue<double>());
        Assert.Equal(2.5, (await Http.SetAttributeAsync(token, id, "score", 2.5, "number"))["typed_value"]!.GetValue<double>());
        Assert.True((await Http.SetAttributeAsync(token, id, "is_vip", "true", "boolean"))["typed_value"]!.GetValue<bool>());
        Assert.False((await Http.SetAttributeAsync(token, id, "churned", false, "boolean"))["typed_value"]!.GetValue<bool>());
        var preferences = await Http.SetAttributeAsync(token, id, "preferences", "{\"theme\": \"dark\", \"notifications\": true}", "json");
        Assert.Equal("dark", preferences["typed_value"]!["theme"]!.GetValue<string>());
        Assert.True(preferences["typed_value"]!["notifications"]!.GetValue<bool>());
        var tags = await Http.SetAttributeAsync(token, id, "tags", new[] { "a", "b" }, "json");
        Assert.Equal(2, tags["typed_value"]!.AsArray().Count);

        // Without value_type a value is a string.
        var plain = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "note", value = "42" }, token);
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal("string", plain.Body!["value_type"]!.GetValue<string>());
        Assert.Equal("42", plain.Body["typed_value"]!.GetValue<string>());

        // Replacing keeps one attribute per key.
        Assert.Equal(26.0, (await Http.SetAttributeAsync(token, id, "age", 26, "number"))["typed_value"]!.GetValue<double>());

        // A value that does not convert to its type names the field; so do bad keys, types and missing values.
        foreach (var (value, type) in new (object, string)[] { ("abc", "number"), ("maybe", "boolean"), ("{not json", "json") })
        {
            var wrong = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "age", value, value_type = type }, token);
            AssertProblem(HttpStatusCode.UnprocessableEntity, wrong);
            Assert.Equal(["value"], ErrorFields(wrong.Body!));
        }

        var nullValue = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "age", value = (string?)null, value_type = "number" }, token);
        Assert.Equal(["value"], ErrorFields(nullValue.Body!));
        var badKey = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "no spaces", value = "1" }, token);
        Assert.Equal(["key"], ErrorFields(badKey.Body!));
        var longKey = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = new string('k', 65), value = "1" }, token);
        Assert.Equal(["key"], ErrorFields(longKey.Body!));
        var badType = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "when", value = "2024-01-01", value_type = "date" }, token);
        Assert.Equal(["value_type"], ErrorFields(badType.Body!));
        var tooLong = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "essay", value = new string('x', 4097) }, token);
        Assert.Equal(["value"], ErrorFields(tooLong.Body!));
        var extra = await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "a", value = "1", contact_id = 9 }, token);
        Assert.Equal(["contact_id"], ErrorFields(extra.Body!));

        // The refused writes changed nothing.
        var (_, age, _) = await Http.GetJsonAsync($"/contacts/{id}/attributes/age", token);
        Assert.Equal(26.0, age!["typed_value"]!.GetValue<double>());

        var (listed, all, _) = await Http.GetJsonAsync($"/contacts/{id}/attributes", token);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(
            ["age", "churned", "is_vip", "note", "preferences", "preferred_language", "score", "tags"],
            all!.AsArray().Select(a => a!["key"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray());

        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/contacts/{id}/attributes/missing", token));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync($"/contacts/{id}/attributes/bad%20key", token));

        var (deleted, _, _) = await Http.DeleteAsync($"/contacts/{id}/attributes/age", token);
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        AssertProblem(HttpStatusCode.NotFound, await Http.DeleteAsync($"/contacts/{id}/attributes/age", token));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/contacts/{id}/attributes/age", token));

        // Unknown contacts are 404 everywhere.
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/contacts/{long.MaxValue}/attributes", token));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync($"/contacts/{long.MaxValue}/attributes", new { key = "a", value = "1" }, token));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync("/contacts/0", token));
    }

    [Fact]
    public async Task BulkAttributes_AreAllOrNothing()
    {
        var (token, _, botId) = await OwnerWithBotAsync("contact-bulk");
        var id = (await Http.CreateContactAsync(token, botId, ContactScenario.NewPhone()))["id"]!.GetValue<long>();

        // The seed's example.
        var (status, written, _) = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk", new
        {
            attributes = new[]
            {
                new { key = "age", value = "25", value_type = "number" },
                new { key = "is_vip", value = "true", value_type = "boolean" },
                new { key = "preferences", value = "{\"theme\": \"dark\", \"notifications\": true}", value_type = "json" },
            },
        }, token);
        Assert.True(status == HttpStatusCode.OK, $"{status} {written?.ToJsonString()}");
        var byKey = written!.AsArray().ToDictionary(a => a!["key"]!.GetValue<string>(), a => a!);
        Assert.Equal(3, byKey.Count);
        Assert.Equal(25.0, byKey["age"]["typed_value"]!.GetValue<double>());
        Assert.True(byKey["is_vip"]["typed_value"]!.GetValue<bool>());
        Assert.Equal("dark", byKey["preferences"]["typed_value"]!["theme"]!.GetValue<string>());

        // One bad value: none of the batch is stored.
        var refused = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk", new
        {
            attributes = new[]
            {
                new { key = "age", value = "40", value_type = "number" },
                new { key = "city", value = "Berlin", value_type = "string" },
                new { key = "is_vip", value = "sometimes", value_type = "boolean" },
            },
        }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Contains(ErrorFields(refused.Body!), f => f.StartsWith("attributes[2]", StringComparison.Ordinal));
        var (_, after, _) = await Http.GetJsonAsync($"/contacts/{id}/attributes", token);
        var now = after!.AsArray().ToDictionary(a => a!["key"]!.GetValue<string>(), a => a!);
        Assert.Equal(25.0, now["age"]["typed_value"]!.GetValue<double>());
        Assert.False(now.ContainsKey("city"));
        Assert.True(now["is_vip"]["typed_value"]!.GetValue<bool>());

        // Shape rules: 1 to 100 distinct keys.
        var none = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk", new { attributes = Array.Empty<object>() }, token);
        Assert.Equal(["attributes"], ErrorFields(none.Body!));
        var missing = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk", new { }, token);
        Assert.Equal(["attributes"], ErrorFields(missing.Body!));
        var tooMany = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk",
            new { attributes = Enumerable.Range(0, 101).Select(i => new { key = $"k{i}", value = "v" }).ToArray() }, token);
        Assert.Equal(["attributes"], ErrorFields(tooMany.Body!));
        var twice = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk",
            new { attributes = new[] { new { key = "a", value = "1" }, new { key = "a", value = "2" } } }, token);
        Assert.Equal(["attributes[1].key"], ErrorFields(twice.Body!));
        var unknownInItem = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk",
            new { attributes = new[] { new { key = "a", value = "1", colour = "red" } } }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, unknownInItem);
        var nullItem = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk", "{\"attributes\": [null]}", token);
        Assert.Equal(["attributes[0]"], ErrorFields(nullItem.Body!));
        var oneBad = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk",
            new { attributes = new[] { new { key = "age", value = "old", value_type = "number" } } }, token);
        Assert.Equal(["attributes[0].value"], ErrorFields(oneBad.Body!));

        // A contact holds at most 100 attributes: 3 + 97 fit, one more does not.
        var fill = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk",
            new { attributes = Enumerable.Range(0, 97).Select(i => new { key = $"k{i}", value = "v" }).ToArray() }, token);
        Assert.True(fill.Status == HttpStatusCode.OK, $"{fill.Status} {fill.Body?.ToJsonString()}");
        Assert.Equal(97, fill.Body!.AsArray().Count);
        var overLimit = await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk", new { attributes = new[] { new { key = "one_more", value = "v" } } }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, overLimit);
        Assert.Equal(["attributes"], ErrorFields(overLimit.Body!));
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/contacts/{id}/attributes/bulk", new { attributes = new[] { new { key = "age", value = "30", value_type = "number" } } }, token)).Status);
    }

    [Fact]
    public async Task SearchByAttribute_ComparesByType_AndPages()
    {
        var (token, organizationId, botId) = await OwnerWithBotAsync("contact-search");
        var age = ContactScenario.NewKey("age");
        var vip = ContactScenario.NewKey("vip");
        var prefs = ContactScenario.NewKey("prefs");
        var city = ContactScenario.NewKey("city");

        var matching = (await Http.CreateContactAsync(token, botId, ContactScenario.NewPhone(), new object[]
        {
            new { key = age, value = "25.0", value_type = "number" },
            new { key = vip, value = "true", value_type = "boolean" },
            new { key = prefs, value = "{\"theme\": \"dark\", \"size\": 2}", value_type = "json" },
            new { key = city, value = "Berlin", value_type = "string" },
        }))["id"]!.GetValue<long>();
        var other = (await Http.CreateContactAsync(token, botId, ContactScenario.NewPhone(), new object[]
        {
            new { key = age, value = "26", value_type = "number" },
            new { key = vip, value = "false", value_type = "boolean" },
            new { key = prefs, value = "{\"theme\": \"light\"}", value_type = "json" },
            new { key = city, value = "berlin", value_type = "string" },
        }))["id"]!.GetValue<long>();

        async Task<long[]> SearchAsync(string key, string value, string extra = "")
        {
            var (status, list, _) = await Http.GetJsonAsync(
                $"/contacts/search/by-attribute?key={Uri.EscapeDataString(key)}&value={Uri.EscapeDataString(value)}{extra}", token);
            Assert.True(status == HttpStatusCode.OK, $"search {key}={value}: {status} {list?.ToJsonString()}");
            return ContactScenario.Ids(list);
        }

        Assert.Equal([matching], await SearchAsync(age, "25"));
        Assert.Equal([matching], await SearchAsync(age, "25.00"));
        Assert.Equal([other], await SearchAsync(age, "26"));
        Assert.Empty(await SearchAsync(age, "twenty-five"));
        Assert.Equal([matching], await SearchAsync(vip, "TRUE"));
        Assert.Equal([other], await SearchAsync(vip, "False"));
        Assert.Equal([matching], await SearchAsync(prefs, "{\"size\":2,\"theme\":\"dark\"}"));
        Assert.Equal([matching], await SearchAsync(city, "Berlin"));
        Assert.Equal([other], await SearchAsync(city, "berlin"));
        Assert.Empty(await SearchAsync(city, "Berlin "));
        Assert.Equal([matching], await SearchAsync(city, "Berlin", $"&bot_id={botId}"));
        Assert.Equal([matching], await SearchAsync(city, "Berlin", $"&organization_id={organizationId}"));

        // Paging: newest first, with the total.
        var shared = ContactScenario.NewKey("segment");
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Http.CreateContactAsync(token, botId, ContactScenario.NewPhone(), new[] { new { key = shared, value = "spring", value_type = "string" } }))["id"]!.GetValue<long>());
        }

        var (_, first, firstResponse) = await Http.GetJsonAsync($"/contacts/search/by-attribute?key={shared}&value=spring&limit=2", token);
        Assert.Equal(3, ContactScenario.TotalCount(firstResponse));
        Assert.Equal(2, first!.AsArray().Count);
        var (_, second, _) = await Http.GetJsonAsync($"/contacts/search/by-attribute?key={shared}&value=spring&limit=2&offset=2", token);
        Assert.Single(second!.AsArray());
        Assert.Equal(ids.Order(), ContactScenario.Ids(first).Concat(ContactScenario.Ids(second)).Order());

        // Required parameters, bad paging; another user finds nothing of this organization.
        var noKey = await Http.GetJsonAsync("/contacts/search/by-attribute?value=1", token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, noKey);
        Assert.Equal(["key"], ErrorFields(noKey.Body!));
        var noValue = await Http.GetJsonAsync($"/contacts/search/by-attribute?key={city}", token);
        Assert.Equal(["value"], ErrorFields(noValue.Body!));
        var badKey = await Http.GetJsonAsync("/contacts/search/by-attribute?key=a%20b&value=1", token);
        Assert.Equal(["key"], ErrorFields(badKey.Body!));
        var badLimit = await Http.GetJsonAsync($"/contacts/search/by-attribute?key={city}&value=Berlin&limit=0", token);
        Assert.Equal(["limit"], ErrorFields(badLimit.Body!));
        var badBot = await Http.GetJsonAsync($"/contacts/search/by-attribute?key={city}&value=Berlin&bot_id=abc", token);
        Assert.Equal(["bot_id"], ErrorFields(badBot.Body!));

        var stranger = await Http.NewUserAsync("search-stranger");
        var (_, theirs, _) = await Http.GetJsonAsync($"/contacts/search/by-attribute?key={city}&value=Berlin", stranger.Token);
        Assert.Empty(theirs!.AsArray());
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/contacts/search/by-attribute?key={city}&value=Berlin&bot_id={botId}", stranger.Token));
    }

    [Fact]
    public async Task ContactLists_Page_AndFilterByBot()
    {
        var (token, organizationId, botId) = await OwnerWithBotAsync("contact-list");
        var otherBot = await Http.CreateBotAsync(token);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Http.CreateContactAsync(token, botId, ContactScenario.NewPhone()))["id"]!.GetValue<long>());
        }

        var elsewhere = (await Http.CreateContactAsync(token, otherBot, ContactScenario.NewPhone()))["id"]!.GetValue<long>();

        var (_, page1, response) = await Http.GetJsonAsync($"/flows/contacts/?bot_id={botId}&limit=2", token);
        Assert.Equal(3, ContactScenario.TotalCount(response));
        var (_, page2, _) = await Http.GetJsonAsync($"/flows/contacts/?bot_id={botId}&limit=2&offset=2", token);
        var seen = ContactScenario.Ids(page1).Concat(ContactScenario.Ids(page2)).ToArray();
        Assert.Equal(ids.OrderDescending(), seen);

        var (_, inOrganization, orgResponse) = await Http.GetJsonAsync($"/flows/contacts/?organization_id={organizationId}", token);
        Assert.Equal(4, ContactScenario.TotalCount(orgResponse));
        Assert.Contains(elsewhere, ContactScenario.Ids(inOrganization));

        var badOffset = await Http.GetJsonAsync("/flows/contacts/?offset=-1", token);
        Assert.Equal(["offset"], ErrorFields(badOffset.Body!));
        var badOrganization = await Http.GetJsonAsync("/flows/contacts/?organization_id=x", token);
        Assert.Equal(["organization_id"], ErrorFields(badOrganization.Body!));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/flows/contacts/?bot_id={long.MaxValue}", token));
    }

    [Fact]
    public async Task AViewer_ReadsContacts_ButCannotWriteThem()
    {
        var (token, organizationId, botId) = await OwnerWithBotAsync("contact-owner");
        var id = (await Http.CreateContactAsync(token, botId, ContactScenario.NewPhone(), new[] { new { key = "tier", value = "gold", value_type = "string" } }))["id"]!.GetValue<long>();
        var viewer = await Http.NewUserAsync("contact-viewer");
        await _system.JoinAsync(organizationId, token, viewer, "viewer");

        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync($"/contacts/{id}", viewer.Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync($"/contacts/{id}/attributes/tier", viewer.Token)).Status);
        AssertProblem(HttpStatusCode.Forbidden, await Http.PostJsonAsync($"/contacts/{id}/attributes", new { key = "tier", value = "silver" }, viewer.Token));
        AssertProblem(HttpStatusCode.Forbidden, await Http.DeleteAsync($"/contacts/{id}/attributes/tier", viewer.Token));
        AssertProblem(HttpStatusCode.Forbidden, await Http.PatchJsonAsync($"/contacts/{id}", new { opted_in = false }, viewer.Token));
        var (_, tier, _) = await Http.GetJsonAsync($"/contacts/{id}/attributes/tier", viewer.Token);
        Assert.Equal("gold", tier!["value"]!.GetValue<string>());
    }
}
