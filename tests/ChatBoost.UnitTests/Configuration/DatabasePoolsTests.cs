using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.UnitTests.Configuration;

public class DatabasePoolsTests
{
    private const string Base = "Host=db;Port=5432;Username=u;Password=secret;Database=chatboost";

    [Fact]
    public void EachPoolIsBoundedByItsOwnSizeAndNamesItself()
    {
        var pools = DatabasePools.From(Base, poolSize: 24, orleansPoolSize: 6);

        var query = new NpgsqlConnectionStringBuilder(pools.Query);
        var orleans = new NpgsqlConnectionStringBuilder(pools.Orleans);
        Assert.Equal(24, query.MaxPoolSize);
        Assert.Equal(6, orleans.MaxPoolSize);
        Assert.Equal("chatboost-silo", query.ApplicationName);
        Assert.Equal("chatboost-silo-orleans", orleans.ApplicationName);
        // Npgsql pools by connection string: two different strings are two pools, as intended.
        Assert.NotEqual(pools.Query, pools.Orleans);
        Assert.Equal("secret", query.Password);
        Assert.Equal("chatboost", orleans.Database);
    }

    [Fact]
    public void TheSizesOverrideTheUrlsMaximumButKeepItsApplicationName()
    {
        var pools = DatabasePools.From(Base + ";Maximum Pool Size=500;Application Name=ops", poolSize: 30, orleansPoolSize: 8);

        Assert.Equal(30, new NpgsqlConnectionStringBuilder(pools.Query).MaxPoolSize);
        Assert.Equal("ops", new NpgsqlConnectionStringBuilder(pools.Orleans).ApplicationName);
    }

    [Fact]
    public void ChatBoostsPoolPreparesItsStatements_UnlessTheUrlSaysHowMany()
    {
        var pools = DatabasePools.From(Base, poolSize: 24, orleansPoolSize: 6);
        Assert.Equal(DatabasePools.AutoPrepared, new NpgsqlConnectionStringBuilder(pools.Query).MaxAutoPrepare);
        Assert.Equal(2, new NpgsqlConnectionStringBuilder(pools.Query).AutoPrepareMinUsages);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(pools.Orleans).MaxAutoPrepare);

        var own = DatabasePools.From(Base + ";Max Auto Prepare=20", poolSize: 24, orleansPoolSize: 6);
        Assert.Equal(20, new NpgsqlConnectionStringBuilder(own.Query).MaxAutoPrepare);
    }

    [Fact]
    public void AMinimumAboveTheNewMaximumIsLoweredToIt()
    {
        var pools = DatabasePools.From(Base + ";Minimum Pool Size=20", poolSize: 40, orleansPoolSize: 4);

        var orleans = new NpgsqlConnectionStringBuilder(pools.Orleans);
        Assert.Equal(4, orleans.MinPoolSize);
        Assert.Equal(20, new NpgsqlConnectionStringBuilder(pools.Query).MinPoolSize);
    }
}
