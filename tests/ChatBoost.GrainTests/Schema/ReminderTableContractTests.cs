using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ChatBoost.GrainTests.Schema;

/// <summary>
/// The real AdoNetReminderTable (10.4.2) on our schema, through the reminder service and
/// through <see cref="IReminderTable"/> directly.
/// </summary>
[Collection(OrleansPostgresCollection.Name)]
public sealed class ReminderTableContractTests(OrleansPostgresFixture fixture)
{
    private static readonly TimeSpan MinimumPeriod = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_registered_reminder_fires()
    {
        var key = NewKey();
        var grain = fixture.Grains.GetGrain<IReminderProbeGrain>(key);

        await grain.Register("tick", dueTime: TimeSpan.FromSeconds(2), period: MinimumPeriod);
        try
        {
            await ReminderTicks.WaitAsync(key, "tick", TimeSpan.FromSeconds(45));
        }
        finally
        {
            await grain.Unregister("tick");
        }
    }

    [Fact]
    public async Task Reminders_register_list_and_unregister_deletes_the_row()
    {
        var key = NewKey();
        var grain = fixture.Grains.GetGrain<IReminderProbeGrain>(key);

        await grain.Register("a", TimeSpan.FromHours(1), MinimumPeriod);
        await grain.Register("b", TimeSpan.FromHours(1), MinimumPeriod);

        Assert.Equal(["a", "b"], await grain.ListReminderNames());
        Assert.Equal(2L, await CountRowsAsync(grain));

        await grain.Unregister("a");

        Assert.Equal(["b"], await grain.ListReminderNames());
        Assert.Equal(1L, await CountRowsAsync(grain));
        await grain.Unregister("b");
        Assert.Equal(0L, await CountRowsAsync(grain));
    }

    [Fact]
    public async Task Upsert_versions_the_row_and_remove_needs_the_current_etag()
    {
        var table = ReminderTable();
        var grainId = GrainId.Create("reminder-probe", NewKey());
        var startAt = new DateTime(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

        var firstETag = await table.UpsertRow(Entry(grainId, "r", startAt, TimeSpan.FromMinutes(5))) ?? "";
        var secondETag = await table.UpsertRow(Entry(grainId, "r", startAt.AddDays(1), TimeSpan.FromDays(40))) ?? "";
        Assert.Equal("0", firstETag);
        Assert.Equal("1", secondETag);

        var row = await table.ReadRow(grainId, "r");
        Assert.NotNull(row);
        Assert.Equal(grainId, row.GrainId);
        Assert.Equal("r", row.ReminderName);
        Assert.Equal(startAt.AddDays(1), row.StartAt);
        Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
        Assert.Equal(TimeSpan.FromDays(40), row.Period); // beyond int milliseconds: bound as bigint
        Assert.Equal(secondETag, row.ETag);

        await table.UpsertRow(Entry(grainId, "other", startAt, TimeSpan.FromMinutes(5)));
        var rows = await table.ReadRows(grainId);
        Assert.Equal(["other", "r"], rows.Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));

        Assert.False(await table.RemoveRow(grainId, "r", firstETag));
        Assert.NotNull(await table.ReadRow(grainId, "r"));
        Assert.True(await table.RemoveRow(grainId, "r", secondETag));
        Assert.Null(await table.ReadRow(grainId, "r"));
        Assert.False(await table.RemoveRow(grainId, "r", secondETag));
    }

    [Fact]
    public async Task Range_reads_return_hashes_in_begin_exclusive_end_inclusive_ring_ranges()
    {
        var table = ReminderTable();
        var type = "range-probe-" + Guid.NewGuid().ToString("N");
        var grains = Enumerable.Range(0, 64).Select(i => GrainId.Create(type, $"k{i}")).ToList();
        var startAt = DateTime.UtcNow.AddDays(1); // far enough that the silo never fires them
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "range", startAt, TimeSpan.FromHours(1)));
        }

        try
        {
            var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
            var low = hashes.Where(h => h < 0x8000_0000u).ToList();   // non-negative as signed int
            var high = hashes.Where(h => h >= 0x8000_0000u).ToList(); // negative as signed int
            Assert.True(low.Count >= 4 && high.Count >= 4, "The sample needs hashes in both halves of the ring.");

            // Rows1 (signed begin < end): a plain interval inside one half.
            await AssertRangeAsync(low[1], low[^2]);
            // Rows1 again, although the unsigned range wraps past uint.MaxValue.
            await AssertRangeAsync(high[1], low[^2]);
            // Rows2 (signed begin >= end): the unsigned range is plain but crosses the sign bit.
            await AssertRangeAsync(low[1], high[^2]);
            // Rows2 with an unsigned wrap inside one half.
            await AssertRangeAsync(low[^2], low[1]);
            // begin == end: the whole ring.
            await AssertRangeAsync(low[0], low[0]);

            async Task AssertRangeAsync(uint begin, uint end)
            {
                var expected = grains.Where(g => InRing(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order(StringComparer.Ordinal);
                var actual = (await table.ReadRows(begin, end)).Reminders
                    .Where(r => r.GrainId.Type.ToString() == type)
                    .Select(r => r.GrainId.ToString())
                    .Order(StringComparer.Ordinal);
                Assert.Equal(expected, actual);
            }
        }
        finally
        {
            foreach (var grain in grains)
            {
                var row = await table.ReadRow(grain, "range");
                await table.RemoveRow(grain, "range", row!.ETag!);
            }
        }
    }

    /// <summary>Orleans' ring range (begin, end]; begin == end is the full ring.</summary>
    private static bool InRing(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private IReminderTable ReminderTable() => fixture.SiloServices.GetRequiredService<IReminderTable>();

    private static ReminderEntry Entry(GrainId grainId, string name, DateTime startAt, TimeSpan period) =>
        new() { GrainId = grainId, ReminderName = name, StartAt = startAt, Period = period };

    private Task<long> CountRowsAsync(IReminderProbeGrain grain) => fixture.ScalarAsync<long>(
        "SELECT count(*) FROM orleansreminderstable WHERE grainid = @grainId",
        ("grainId", grain.GetGrainId().ToString()));

    private static string NewKey() => "k-" + Guid.NewGuid().ToString("N");
}
