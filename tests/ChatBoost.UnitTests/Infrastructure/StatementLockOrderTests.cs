using ChatBoost.Grains.Infrastructure;

namespace ChatBoost.UnitTests.Infrastructure;

/// <summary>The statement writer's lock order: units sorted by lock key, keyless first, equal keys in submission order.</summary>
public class StatementLockOrderTests
{
    [Fact]
    public void UnitsRunInKeyOrder_KeylessFirst_AndUnitsOfOneKeyKeepTheirOrder()
    {
        var units = new List<(string? Key, int Seq)>
        {
            ("message:b", 0), (null, 1), ("contact:1/49", 2), ("message:a", 3), ("message:b", 4), (null, 5), ("contact:1/49", 6),
        };

        var ordered = BatchingStatementWriter.InLockOrder(units, u => u.Key);

        Assert.Equal([1, 5, 2, 6, 3, 0, 4], ordered.Select(u => u.Seq));
    }

    [Fact]
    public void EveryPermutationOfTheSameUnits_GivesTheSameKeyOrder()
    {
        // Two batches holding the same rows, submitted in any orders, lock them in one order: no cycle between them.
        var keys = new[] { StatementLockKeys.Contact(7, "4917612345678"), StatementLockKeys.Message(Guid.NewGuid()),
            StatementLockKeys.Wamid(7, "wamid.HBgL"), StatementLockKeys.Contact(12, "4917612345678"), StatementLockKeys.Message(Guid.NewGuid()) };
        var reference = BatchingStatementWriter.InLockOrder(keys.ToList(), k => k);
        var random = new Random(5);
        for (var i = 0; i < 50; i++)
        {
            var shuffled = keys.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(reference, BatchingStatementWriter.InLockOrder(shuffled, k => k));
        }
    }

    [Fact]
    public void OneRowHasOneKey_WhicheverUnitNamesIt()
    {
        var id = Guid.NewGuid();
        Assert.Equal(StatementLockKeys.Message(id), StatementLockKeys.Message(Guid.Parse(id.ToString("D"))));
        Assert.NotEqual(StatementLockKeys.Contact(1, "23"), StatementLockKeys.Contact(12, "3"));
    }
}
