using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Xunit;

namespace ChatBoost.GrainTests.Schema;

/// <summary>
/// The real AdoNetGrainStorage (10.4.2) on our schema: round trips for every key kind,
/// optimistic concurrency, clear and delete-on-clear, and one row per grain.
/// </summary>
[Collection(OrleansPostgresCollection.Name)]
public sealed class GrainStorageContractTests(OrleansPostgresFixture fixture)
{
    public static TheoryData<string> KeyKinds => new() { "string", "guid", "integer", "compound" };

    [Theory]
    [MemberData(nameof(KeyKinds))]
    public async Task State_survives_deactivation_clear_and_rewrite(string keyKind)
    {
        var grain = ProbeGrain(keyKind);

        var fresh = await grain.Read();
        Assert.False(fresh.RecordExists);
        Assert.Null(fresh.ETag);

        var written = await grain.Write("first");
        Assert.True(written.RecordExists);
        Assert.Equal("1", written.ETag);

        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal(new StateSnapshot("first", 1, true, "1"), await grain.Read());

        var cleared = await grain.Clear();
        Assert.False(cleared.RecordExists);
        Assert.Null(cleared.Value);
        Assert.Equal("2", cleared.ETag); // clearing keeps the row and bumps its version

        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal(new StateSnapshot(null, 0, false, "2"), await grain.Read());

        await grain.Write("second");
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal(new StateSnapshot("second", 1, true, "3"), await grain.Read());
    }

    [Fact]
    public async Task Compound_keys_with_the_same_number_are_distinct_grains()
    {
        var number = Random.Shared.NextInt64(1, long.MaxValue);
        var a = fixture.Grains.GetGrain<ICompoundKeyProbeGrain>(number, "a");
        var b = fixture.Grains.GetGrain<ICompoundKeyProbeGrain>(number, "b");

        await a.Write("value-a");
        await b.Write("value-b");
        await fixture.Cluster.DeactivateAsync(a);
        await fixture.Cluster.DeactivateAsync(b);

        Assert.Equal("value-a", (await a.Read()).Value);
        Assert.Equal("value-b", (await b.Read()).Value);
        Assert.Equal(2L, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM orleansstorage WHERE grainidn1 = @n AND grainidextensionstring IN ('a', 'b')", ("n", number)));
    }

    [Fact]
    public async Task Many_writes_keep_exactly_one_row_per_grain()
    {
        var key = NewKey();
        var grain = fixture.Grains.GetGrain<IStringKeyProbeGrain>(key);

        for (var i = 0; i < 20; i++)
        {
            await grain.Write($"v{i}");
        }

        await fixture.Cluster.DeactivateAsync(grain);
        await grain.Clear();
        for (var i = 0; i < 5; i++)
        {
            await grain.Write($"w{i}");
        }

        Assert.Equal(1L, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM orleansstorage WHERE grainidextensionstring = @key", ("key", key)));
        Assert.Equal(26, await fixture.ScalarAsync<int>(
            "SELECT version FROM orleansstorage WHERE grainidextensionstring = @key", ("key", key)));
    }

    [Fact]
    public async Task Grain_write_with_a_stale_etag_raises_InconsistentStateException()
    {
        var key = NewKey();
        var grain = fixture.Grains.GetGrain<IStringKeyProbeGrain>(key);
        await grain.Write("mine");

        // Another writer (e.g. a duplicate activation) moves the row on behind the grain's back.
        Assert.Equal(1, await fixture.ExecuteAsync(
            "UPDATE orleansstorage SET version = version + 1 WHERE grainidextensionstring = @key", ("key", key)));

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Write("stale"));
        Assert.Equal(2, await fixture.ScalarAsync<int>(
            "SELECT version FROM orleansstorage WHERE grainidextensionstring = @key", ("key", key)));
    }

    public static TheoryData<string> DirectKeyKinds => new() { "string", "integer", "guid" };

    [Theory]
    [MemberData(nameof(DirectKeyKinds))]
    public async Task Concurrent_first_writes_of_one_grain_insert_one_row_and_the_losers_get_InconsistentStateException(string keyKind)
    {
        // Integer and Guid keys have a NULL extension string: only UNIQUE NULLS NOT DISTINCT
        // stops a second row for them.
        var storage = Storage("Default");
        var grainType = NewDirectType();
        var grainId = DirectGrainId(keyKind);
        var states = Enumerable.Range(0, 8).Select(i => new GrainState<ProbeState>(new ProbeState { Value = $"w{i}" })).ToList();

        var outcomes = await Task.WhenAll(states.Select(async state =>
        {
            try
            {
                await storage.WriteStateAsync(grainType, grainId, state);
                return "written";
            }
            catch (InconsistentStateException)
            {
                return "conflict";
            }
        }));

        Assert.Single(outcomes, o => o == "written");
        var winner = states[Array.IndexOf(outcomes, "written")];
        Assert.Equal("1", winner.ETag);

        var reread = new GrainState<ProbeState>();
        await storage.ReadStateAsync(grainType, grainId, reread);
        Assert.Equal(winner.State!.Value, reread.State!.Value);
        Assert.Equal(1L, await CountRowsAsync(grainType));
    }

    [Fact]
    public async Task Stale_write_and_stale_clear_are_rejected_until_the_state_is_reread()
    {
        var storage = Storage("Default");
        var grainType = NewDirectType();
        var grainId = DirectGrainId("integer");
        await storage.WriteStateAsync(grainType, grainId, new GrainState<ProbeState>(new ProbeState { Value = "v1" }));

        var a = new GrainState<ProbeState>();
        var b = new GrainState<ProbeState>();
        await storage.ReadStateAsync(grainType, grainId, a);
        await storage.ReadStateAsync(grainType, grainId, b);
        Assert.Equal("1", b.ETag);

        a.State!.Value = "from-a";
        await storage.WriteStateAsync(grainType, grainId, a);
        Assert.Equal("2", a.ETag);

        b.State!.Value = "from-b";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, grainId, b));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, grainId, b));

        await storage.ReadStateAsync(grainType, grainId, b);
        Assert.Equal(("from-a", "2"), (b.State.Value, b.ETag));
        b.State.Value = "from-b";
        await storage.WriteStateAsync(grainType, grainId, b);
        Assert.Equal("3", b.ETag);
        Assert.Equal(1L, await CountRowsAsync(grainType));
    }

    [Fact]
    public async Task Delete_on_clear_removes_the_row_and_a_later_write_starts_again()
    {
        var storage = Storage(OrleansPostgresFixture.DeleteOnClearStorage);
        var grainType = NewDirectType();
        var grainId = DirectGrainId("guid");
        var state = new GrainState<ProbeState>(new ProbeState { Value = "v1" });
        await storage.WriteStateAsync(grainType, grainId, state);

        var stale = new GrainState<ProbeState>();
        await storage.ReadStateAsync(grainType, grainId, stale);
        await storage.WriteStateAsync(grainType, grainId, state); // version 2: 'stale' holds 1
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, grainId, stale));
        Assert.Equal(1L, await CountRowsAsync(grainType));

        await storage.ClearStateAsync(grainType, grainId, state);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0L, await CountRowsAsync(grainType));

        state.State!.Value = "again";
        await storage.WriteStateAsync(grainType, grainId, state);
        Assert.Equal("1", state.ETag);
        Assert.Equal(1L, await CountRowsAsync(grainType));
    }

    private IStateProbeGrain ProbeGrain(string keyKind) => keyKind switch
    {
        "string" => fixture.Grains.GetGrain<IStringKeyProbeGrain>(NewKey()),
        "guid" => fixture.Grains.GetGrain<IGuidKeyProbeGrain>(Guid.NewGuid()),
        "integer" => fixture.Grains.GetGrain<IIntegerKeyProbeGrain>(Random.Shared.NextInt64(long.MinValue, long.MaxValue)),
        "compound" => fixture.Grains.GetGrain<ICompoundKeyProbeGrain>(Random.Shared.NextInt64(), NewKey()),
        _ => throw new ArgumentOutOfRangeException(nameof(keyKind), keyKind, null),
    };

    private IGrainStorage Storage(string name) => fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(name);

    /// <summary>Rows stored under a grain type string (each direct test uses its own).</summary>
    private Task<long> CountRowsAsync(string grainType) => fixture.ScalarAsync<long>(
        "SELECT count(*) FROM orleansstorage WHERE graintypestring = @type", ("type", grainType));

    private static string NewDirectType() => "ChatBoost.GrainTests.DirectProbe" + Guid.NewGuid().ToString("N");

    private static GrainId DirectGrainId(string keyKind)
    {
        var type = GrainType.Create("direct-probe");
        return keyKind switch
        {
            "string" => GrainId.Create(type, NewKey()),
            "integer" => GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64())),
            "guid" => GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())),
            _ => throw new ArgumentOutOfRangeException(nameof(keyKind), keyKind, null),
        };
    }

    private static string NewKey() => "k-" + Guid.NewGuid().ToString("N");
}
