// The floor of bench/webhook: the cheapest durable webhook one could write on the same machine.
// POST /floor reads the raw body and runs one plain single-row INSERT (autocommit), answering 200 once
// PostgreSQL has committed it. No parsing, no signature check, no batching.
//
//   FLOOR_CONNECTION_STRING="Host=127.0.0.1;Port=5432;Username=u;Password=p;Database=d;Maximum Pool Size=64" \
//   dotnet Floor.dll --urls http://127.0.0.1:8101
using Npgsql;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
var connectionString = builder.Configuration["FLOOR_CONNECTION_STRING"]
    ?? throw new InvalidOperationException("Set FLOOR_CONNECTION_STRING (an Npgsql connection string).");

await using var dataSource = NpgsqlDataSource.Create(connectionString);
await using (var create = dataSource.CreateCommand(
    "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())"))
{
    await create.ExecuteNonQueryAsync();
}

var app = builder.Build();
app.MapGet("/floor/health", () => Results.Ok());
app.MapPost("/floor", async (HttpRequest request, CancellationToken cancellationToken) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(cancellationToken);
    await using var insert = dataSource.CreateCommand("INSERT INTO bench_floor (body) VALUES ($1)");
    insert.Parameters.Add(new NpgsqlParameter { Value = body });
    await insert.ExecuteNonQueryAsync(cancellationToken);
    return Results.Ok();
});
await app.RunAsync();
