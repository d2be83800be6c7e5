using Npgsql;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// The silo's one PostgreSQL data source (a connection pool) for the query tables. Grains get it from DI;
/// Orleans' own providers keep their own connections.
/// </summary>
public sealed class Database(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        DataSource.OpenConnectionAsync(cancellationToken);
}
