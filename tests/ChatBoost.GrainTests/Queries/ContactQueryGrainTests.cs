using ChatBoost.Grains.Interfaces.Contacts;

namespace ChatBoost.GrainTests.Queries;

/// <summary>The contact directory over rows written straight into <c>contacts</c> and <c>contact_attributes</c>.</summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class ContactDirectoryGrainTests(ChatBoostClusterFixture fixture)
{
    private readonly QuerySeed _seed = new(fixture);

    private IContactQueryGrain Directory => fixture.Grains.GetGrain<IContactQueryGrain>(0);

    [Fact]
    public async Task Find_and_find_by_phone_return_the_address_or_null()
    {
        var org = await _seed.OrganizationAsync();
        var bot = await _seed.BotAsync(org);
        var otherBot = await _seed.BotAsync(org);
        var phone = QuerySeed.NewPhone();
        var id = await _seed.ContactAsync(org, bot, phone);

        Assert.Equal(new ContactAddress(id, bot, phone, org), await Directory.FindAsync(id));
        Assert.Equal(new ContactAddress(id, bot, phone, org), await Directory.FindByPhoneAsync(bot, phone));
        Assert.Null(await Directory.FindAsync(long.MaxValue));
        Assert.Null(await Directory.FindByPhoneAsync(otherBot, phone));
        Assert.Null(await Directory.FindByPhoneAsync(bot, phone + "0"));
        Assert.Null(await Directory.FindByPhoneAsync(bot, "bad\0phone"));
    }

    [Fact]
    public async Task List_pages_newest_first_with_the_total_and_never_shows_another_organization()
    {
        var org = await _seed.OrganizationAsync();
        var bot1 = await _seed.BotAsync(org);
        var bot2 = await _seed.BotAsync(org);
        var otherOrg = await _seed.OrganizationAsync("Other");
        var otherBot = await _seed.BotAsync(otherOrg);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await _seed.ContactAsync(org, bot1, QuerySeed.NewPhone()));
            if (i < 3)
            {
                await _seed.ContactAsync(otherOrg, otherBot, QuerySeed.NewPhone());
            }
        }

        var inBot2 = new[]
        {
            await _seed.ContactAsync(org, bot2, QuerySeed.NewPhone()),
            await _seed.ContactAsync(
                org, bot2, "4917000000001", "Ada", optedIn: false, QuerySeed.T0.AddMinutes(1), QuerySeed.T0.AddMinutes(2), QuerySeed.T0.AddMinutes(3)),
        };
        ids.AddRange(inBot2);
        var newestFirst = ids.OrderDescending().ToList();

        // Three pages of three cover the seven contacts once, newest first.
        var seen = new List<long>();
        for (var offset = 0; offset < 9; offset += 3)
        {
            var page = await Directory.ListAsync([org], null, 3, offset);
            Assert.Equal(7, page.Total);
            seen.AddRange(page.Items.Select(c => c.Id));
            Assert.All(page.Items, c => Assert.Equal(org, c.OrganizationId));
            Assert.All(page.Items, c => Assert.Null(c.Attributes));
        }

        Assert.Equal(newestFirst, seen);

        var newest = (await Directory.ListAsync([org], null, 1, 0)).Items.Single();
        Assert.Equal(
            new ContactView(inBot2[1], bot2, org, "4917000000001", "Ada", false, QuerySeed.T0.AddMinutes(1), QuerySeed.T0.AddMinutes(2), QuerySeed.T0.AddMinutes(3)),
            newest);
        Assert.Equal(TimeSpan.Zero, newest.CreatedAt.Offset);

        var botPage = await Directory.ListAsync([org], bot2, 10, 0);
        Assert.Equal(2, botPage.Total);
        Assert.Equal(inBot2.OrderDescending(), botPage.Items.Select(c => c.Id));

        Assert.Equal(10, (await Directory.ListAsync([org, otherOrg], null, 200, 0)).Total);
        Assert.Equal(3, (await Directory.ListAsync([otherOrg], null, 200, 0)).Total);

        // A bot of another organization filters to nothing; no organization means nothing at all.
        AssertEmpty(await Directory.ListAsync([org], otherBot, 10, 0));
        AssertEmpty(await Directory.ListAsync([], null, 10, 0));

        // Past the end: no items, the same total. Limits are clamped, a negative offset is 0.
        var past = await Directory.ListAsync([org], null, 10, 50);
        Assert.Empty(past.Items);
        Assert.Equal(7, past.Total);
        Assert.Single((await Directory.ListAsync([org], null, 0, 0)).Items);
        Assert.Equal(7, (await Directory.ListAsync([org], null, 100_000, -5)).Items.Count);
    }

    [Fact]
    public async Task Number_search_compares_numbers_not_text()
    {
        var (org, bot) = await OrgAndBotAsync();
        var plain = await ContactWithAsync(org, bot, c => _seed.NumberAttributeAsync(c, "age", "25", 25));
        var written = await ContactWithAsync(org, bot, c => _seed.NumberAttributeAsync(c, "age", "25.0", 25));
        await ContactWithAsync(org, bot, c => _seed.NumberAttributeAsync(c, "age", "26", 26));
        await ContactWithAsync(org, bot, c => _seed.NumberAttributeAsync(c, "years", "25", 25)); // another key
        var text = await ContactWithAsync(org, bot, c => _seed.StringAttributeAsync(c, "age", "25"));
        var abc = await ContactWithAsync(org, bot, c => _seed.StringAttributeAsync(c, "age", "abc"));
        var otherOrg = await _seed.OrganizationAsync("Other");
        var otherBot = await _seed.BotAsync(otherOrg);
        await ContactWithAsync(otherOrg, otherBot, c => _seed.NumberAttributeAsync(c, "age", "25", 25));

        await AssertSearchAsync(org, "age", "25", plain, written, text); // the string one matches its exact text
        await AssertSearchAsync(org, "age", "25.0", plain, written);
        await AssertSearchAsync(org, "age", " 2.5e1 ", plain, written);
        await AssertSearchAsync(org, "age", "abc", abc); // no number row
        await AssertSearchAsync(org, "age", "+25");      // not a JSON number, not the string's text
        await AssertSearchAsync(org, "age", "NaN");
        await AssertSearchAsync(org, "age", "Infinity");
        await AssertSearchAsync(org, "age", "1e400");
    }

    [Fact]
    public async Task Boolean_search_ignores_case_and_surrounding_space()
    {
        var (org, bot) = await OrgAndBotAsync();
        var yes = await ContactWithAsync(org, bot, c => _seed.BooleanAttributeAsync(c, "vip", true));
        var no = await ContactWithAsync(org, bot, c => _seed.BooleanAttributeAsync(c, "vip", false));
        var upper = await ContactWithAsync(org, bot, c => _seed.StringAttributeAsync(c, "vip", "TRUE"));

        await AssertSearchAsync(org, "vip", "TRUE", upper, yes);
        await AssertSearchAsync(org, "vip", "true", yes);
        await AssertSearchAsync(org, "vip", " False ", no);
        await AssertSearchAsync(org, "vip", "yes");
        await AssertSearchAsync(org, "vip", "1");
    }

    [Fact]
    public async Task Json_search_ignores_key_order_and_bad_json_matches_nothing()
    {
        var (org, bot) = await OrgAndBotAsync();
        var obj = await ContactWithAsync(org, bot, c => _seed.JsonAttributeAsync(c, "profile", """{"a": 1, "b": [1, 2], "c": {"x": "y"}}"""));
        var scalar = await ContactWithAsync(org, bot, c => _seed.JsonAttributeAsync(c, "profile", "25"));
        var number = await ContactWithAsync(org, bot, c => _seed.NumberAttributeAsync(c, "profile", "25", 25));

        await AssertSearchAsync(org, "profile", """{"c":{"x":"y"},"b":[1,2.0],"a":1}""", obj);
        await AssertSearchAsync(org, "profile", """{"a":1,"b":[2,1],"c":{"x":"y"}}"""); // array order counts
        await AssertSearchAsync(org, "profile", """{"a":1}""");
        await AssertSearchAsync(org, "profile", "25", number, scalar); // both branches in one query
        await AssertSearchAsync(org, "profile", "{bad");
        await AssertSearchAsync(org, "profile", """{"a":"\u0000"}"""); // JSON that jsonb refuses: no error, no match
        await AssertSearchAsync(org, "profile", "\"\\ud800\"");
    }

    [Fact]
    public async Task String_search_is_exact_and_case_sensitive()
    {
        var (org, bot) = await OrgAndBotAsync();
        var berlin = await ContactWithAsync(org, bot, c => _seed.StringAttributeAsync(c, "city", "Berlin"));
        await ContactWithAsync(org, bot, c => _seed.StringAttributeAsync(c, "town", "Berlin"));

        await AssertSearchAsync(org, "city", "Berlin", berlin);
        await AssertSearchAsync(org, "city", "berlin");
        await AssertSearchAsync(org, "city", " Berlin");
        await AssertSearchAsync(org, "city", "Berl");
        await AssertSearchAsync(org, "city", "Berlin\0");
        await AssertSearchAsync(org, "City", "Berlin");
    }

    [Fact]
    public async Task Search_pages_newest_first_filters_by_bot_and_needs_an_organization()
    {
        var (org, bot1) = await OrgAndBotAsync();
        var bot2 = await _seed.BotAsync(org);
        var matches = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            matches.Add(await ContactWithAsync(org, bot1, c => _seed.StringAttributeAsync(c, "plan", "gold")));
        }

        var onBot2 = await ContactWithAsync(org, bot2, c => _seed.StringAttributeAsync(c, "plan", "gold"));
        await ContactWithAsync(org, bot1, c => _seed.StringAttributeAsync(c, "plan", "silver"));

        var first = await Directory.SearchByAttributeAsync([org], bot1, "plan", "gold", 2, 0);
        var second = await Directory.SearchByAttributeAsync([org], bot1, "plan", "gold", 2, 2);
        Assert.Equal((3L, 3L), (first.Total, second.Total));
        Assert.Equal(matches.OrderDescending(), first.Items.Concat(second.Items).Select(c => c.Id));
        Assert.All(first.Items, c => Assert.Null(c.Attributes));

        Assert.Equal(new long[] { onBot2 }, (await Directory.SearchByAttributeAsync([org], bot2, "plan", "gold", 10, 0)).Items.Select(c => c.Id));
        Assert.Equal(4, (await Directory.SearchByAttributeAsync([org], null, "plan", "gold", 10, 0)).Total);
        AssertEmpty(await Directory.SearchByAttributeAsync([], null, "plan", "gold", 10, 0));
    }

    private async Task<(long Org, long Bot)> OrgAndBotAsync()
    {
        var org = await _seed.OrganizationAsync();
        return (org, await _seed.BotAsync(org));
    }

    private async Task<long> ContactWithAsync(long org, long bot, Func<long, Task> attribute)
    {
        var id = await _seed.ContactAsync(org, bot, QuerySeed.NewPhone());
        await attribute(id);
        return id;
    }

    /// <summary>The search finds exactly <paramref name="expected"/> (any order given; the result must be newest first).</summary>
    private async Task AssertSearchAsync(long org, string key, string value, params long[] expected)
    {
        var page = await Directory.SearchByAttributeAsync([org], null, key, value, 200, 0);
        Assert.Equal(expected.OrderDescending(), page.Items.Select(c => c.Id));
        Assert.Equal(expected.Length, page.Total);
    }

    private static void AssertEmpty(ContactPage page) => Assert.Equal((0, 0L), (page.Items.Count, page.Total));
}
