using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.GrainTests.Queries;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatBoost.GrainTests.Contacts.Events;

/// <summary>
/// What the sweeper finds in a shard, over rows written straight into <c>messages</c>, <c>contacts</c> and
/// <c>flow_executions</c>, and that its poke reaches the contact's grain.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class ContactSweepTests(ChatBoostClusterFixture fixture) : IAsyncLifetime
{
    private readonly QuerySeed _seed = new(fixture);
    private Database _database = null!;
    private ContactSweep _sweep = null!;

    public Task InitializeAsync()
    {
        _database = new Database(NpgsqlDataSource.Create(fixture.Database.ConnectionString));
        _sweep = new ContactSweep(
            new ContactSweepQueries(_database), fixture.Grains, Options.Create(new ContactEventOptions()), fixture.Clock, ChatBoost.Testing.TestMetrics.Create(), NullLogger<ContactSweep>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _database.DataSource.DisposeAsync();

    [Fact]
    public async Task Finds_lagging_cursors_missing_contacts_stale_running_and_overdue_waits_but_not_the_healthy()
    {
        var org = await _seed.OrganizationAsync("Sweep Org");
        var bot = await _seed.BotAsync(org);
        var flow = await _seed.FlowAsync(org, bot, "Sweep");
        var now = fixture.Clock.GetUtcNow();

        var lagging = QuerySeed.NewPhone();
        var lagMessage = await InboundAsync(bot, org, lagging, TimeSpan.FromMinutes(2));
        await ContactAsync(org, bot, lagging, inboundCursor: lagMessage - 1);
        var noContactRow = QuerySeed.NewPhone();
        await InboundAsync(bot, org, noContactRow, TimeSpan.FromMinutes(2));
        var consumed = QuerySeed.NewPhone();
        await ContactAsync(org, bot, consumed, inboundCursor: await InboundAsync(bot, org, consumed, TimeSpan.FromMinutes(2)));
        var justArrived = QuerySeed.NewPhone();
        await ContactAsync(org, bot, justArrived, inboundCursor: 0);
        await InboundAsync(bot, org, justArrived, TimeSpan.Zero);

        var staleRunning = QuerySeed.NewPhone();
        await _seed.ExecutionAsync(org, bot, flow, await ContactAsync(org, bot, staleRunning, 0), staleRunning, "running", now.AddMinutes(-5));
        var freshRunning = QuerySeed.NewPhone();
        await _seed.ExecutionAsync(org, bot, flow, await ContactAsync(org, bot, freshRunning, 0), freshRunning, "running", now);
        // QuerySeed's waits wake an hour after their start.
        var overdue = QuerySeed.NewPhone();
        await _seed.ExecutionAsync(org, bot, flow, await ContactAsync(org, bot, overdue, 0), overdue, "waiting", now.AddHours(-2));
        var waitingAhead = QuerySeed.NewPhone();
        await _seed.ExecutionAsync(org, bot, flow, await ContactAsync(org, bot, waitingAhead, 0), waitingAhead, "waiting_for_reply", now);

        var found = await FoundAsync(bot, lagging, noContactRow, consumed, justArrived, staleRunning, freshRunning, overdue, waitingAhead);

        Assert.Equal(
            new[]
            {
                (lagging, InboundLagScan.Reason),
                (noContactRow, InboundLagScan.Reason),
                (overdue, ContactSweepQueries.OverdueWakeReason),
                (staleRunning, ContactSweepQueries.StaleRunningReason),
            }.OrderBy(f => f.Item1, StringComparer.Ordinal),
            found.Select(f => (f.ContactWaId, f.Reason)).OrderBy(f => f.ContactWaId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_sweep_pokes_the_contact_grain_and_the_watermark_never_passes_a_lagging_message()
    {
        var org = await _seed.OrganizationAsync("Sweep Poke Org");
        var bot = await _seed.BotAsync(org);
        var wa = QuerySeed.NewPhone();
        var message = await InboundAsync(bot, org, wa, TimeSpan.FromMinutes(2));
        await ContactAsync(org, bot, wa, inboundCursor: 0);
        await using var connection = await fixture.OpenAsync();
        var shard = await OutletSeed.ShardOfAsync(connection, bot, wa);
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        var contact = fixture.Grains.GetGrain<IContactGrain>(bot, wa, null);

        var report = await _sweep.SweepAsync(shard, CancellationToken.None);

        Assert.Contains(report.Found, f => f.BotId == bot && f.ContactWaId == wa && f.Reason == InboundLagScan.Reason);
        Assert.True(report.Watermark < message, $"watermark {report.Watermark} passed the lagging message {message}");
        await OutletSeed.EventuallyAsync(async () => await management.GetGrainActivationCount((GrainReference)contact) > 0, "the poked contact grain is active");
    }

    private async Task<List<StrandedContact>> FoundAsync(long bot, params string[] contacts)
    {
        await using var connection = await fixture.OpenAsync();
        var shards = new HashSet<int>();
        foreach (var wa in contacts)
        {
            shards.Add(await OutletSeed.ShardOfAsync(connection, bot, wa));
        }

        var found = new List<StrandedContact>();
        foreach (var shard in shards)
        {
            found.AddRange((await _sweep.FindAsync(shard, CancellationToken.None)).Found.Where(f => f.BotId == bot));
        }

        return found;
    }

    /// <summary>An inbound message recorded <paramref name="age"/> ago (PostgreSQL's clock, as the writer's default is); its id.</summary>
    private async Task<long> InboundAsync(long bot, long org, string wa, TimeSpan age)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text, status, status_rank, created_at)
            VALUES (@bot, @org, @wa, 'inbound', @wamid, 'text', 'hi', 'received', 0, now() - @age)
            RETURNING id
            """,
            connection);
        command.Parameters.AddWithValue("bot", bot);
        command.Parameters.AddWithValue("org", org);
        command.Parameters.AddWithValue("wa", wa);
        command.Parameters.AddWithValue("wamid", "wamid.sweep-" + Guid.NewGuid().ToString("N"));
        command.Parameters.AddWithValue("age", age);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> ContactAsync(long org, long bot, string wa, long inboundCursor)
    {
        var id = await _seed.ContactAsync(org, bot, wa);
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE contacts SET inbound_cursor = @cursor WHERE id = @id", connection);
        command.Parameters.AddWithValue("cursor", inboundCursor);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
        return id;
    }
}
