using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// The bots an aggregation covers: every bot (null) or a set. In SQL, <see cref="Sql"/> on the table's <c>bot_id</c> and
/// the <c>only</c> parameter <see cref="Add"/> binds (a null array for every bot, folded away by the planner).
/// </summary>
public static class BotFilter
{
    public static string Sql(string column) => $"(@only::bigint[] IS NULL OR {column} = ANY(@only))";

    public static void Add(NpgsqlCommand command, IReadOnlyCollection<long>? bots)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Parameters.Add(new NpgsqlParameter("only", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)bots?.ToArray() ?? DBNull.Value });
    }
}
