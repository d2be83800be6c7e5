using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;

namespace ChatBoost.GrainTests.Analytics;

/// <summary>
/// <see cref="RollupReader"/>'s distinct counts on real PostgreSQL against their definition (<see cref="SliceAssembler.Count"/>)
/// over the same activity rows: random contacts active in random hours around the range, some created before it, some
/// inside it, some rows without a creation time. Active and returning over the range, and per local day in two zones off
/// UTC (the only buckets the reader counts itself rather than taking from a rollup row).
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class RollupReaderTests(ChatBoostClusterFixture fixture)
{
    public static TheoryData<string, string, int> Ranges => new()
    {
        { AnalyticsPeriodNames.Last7Days, "UTC", 1 },
        { AnalyticsPeriodNames.Last7Days, "Europe/Berlin", 2 },
        { AnalyticsPeriodNames.Last30Days, "America/New_York", 3 },
        { AnalyticsPeriodNames.Last24Hours, "UTC", 4 },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task The_distinct_counts_agree_with_their_definition(string period, string tz, int seed)
    {
        var zone = AnalyticsPeriods.FindZone(tz)!;
        var bot = Random.Shared.NextInt64(1_000_000_000, long.MaxValue / 2);
        var range = AnalyticsPeriods.Resolve(period, DateTimeOffset.UtcNow, zone, tz).Current;
        var rows = RandomActivity(bot, range, new Random(seed));
        await InsertAsync(rows);
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.ConnectionString);

        var slice = await new RollupReader(new Database(dataSource)).ReadAsync(bot, range, zone, CancellationToken.None);

        var expected = SliceAssembler.Count(rows, range, zone);
        Assert.True(expected.Active > 5 && expected.Returning > 0 && expected.Returning < expected.Active, "the data covers every case");
        Assert.Equal((expected.Active, expected.Returning), (slice.ActiveContacts, slice.ReturningContacts));
        if (range.Granularity == StatsGranularity.Daily && !range.ReadsDailyRollup)
        {
            Assert.Equal(
                expected.ByBucket.OrderBy(b => b.Key).Select(b => (b.Key, b.Value)),
                slice.Buckets.Where(b => b.ActiveContacts > 0).Select(b => (b.Start, b.ActiveContacts)));
        }
    }

    /// <summary>40 contacts, each active in 1–8 random hours from two days before the range to a day after it.</summary>
    private static List<ContactActivity> RandomActivity(long bot, StatsRange range, Random random)
    {
        var first = StatsDefinitions.HourOf(range.Start) - TimeSpan.FromDays(2);
        var hours = (int)((range.End - first).TotalHours + 24);
        var rows = new List<ContactActivity>();
        for (var c = 0; c < 40; c++)
        {
            var contact = "49155" + c.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            DateTimeOffset? created = (c % 4) switch
            {
                0 => null,
                1 => range.Start - TimeSpan.FromDays(10),
                _ => range.Start + TimeSpan.FromHours(random.Next(0, (int)(range.End - range.Start).TotalHours)),
            };
            foreach (var hour in Enumerable.Range(0, random.Next(1, 9)).Select(_ => first + TimeSpan.FromHours(random.Next(hours))).Distinct())
            {
                // Some rows were written before the contact's row existed: no creation time on them.
                rows.Add(new ContactActivity(bot, 1, hour, contact, random.Next(3) == 0 ? null : created));
            }
        }

        return rows;
    }

    private async Task InsertAsync(List<ContactActivity> rows)
    {
        await using var connection = await fixture.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(
                "INSERT INTO contact_activity_hourly (bot_id, hour, contact_wa_id, contact_created_at) VALUES ($1, $2, $3, $4)");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.BotId });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = row.Hour });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.ContactWaId });
            command.Parameters.Add(new NpgsqlParameter { Value = row.ContactCreatedAt is { } at ? at : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
    }
}
