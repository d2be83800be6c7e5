using System.Collections.Concurrent;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Infrastructure;
using Dapper;

namespace ChatBoost.Grains.Flows;

/// <summary>
/// Published flow versions, parsed once per silo: a version is immutable (a trigger refuses updates of its row), so a
/// cached program can never be stale. Bounded: past <see cref="Capacity"/> versions the cache starts over.
/// </summary>
public sealed class FlowProgramCache(Database database)
{
    public const int Capacity = 2_000;

    private readonly ConcurrentDictionary<(long FlowId, int Version), Lazy<Task<FlowProgram?>>> _programs = new();

    /// <summary>The program of a published version, or null when the version does not exist.</summary>
    public async Task<FlowProgram?> GetAsync(long flowId, int version, CancellationToken cancellationToken = default)
    {
        if (_programs.Count >= Capacity)
        {
            _programs.Clear();
        }

        var entry = _programs.GetOrAdd((flowId, version), key => new Lazy<Task<FlowProgram?>>(() => LoadAsync(key.FlowId, key.Version)));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken);
        }
        catch
        {
            // A failed load (database down) must not stay cached.
            _programs.TryRemove(new KeyValuePair<(long, int), Lazy<Task<FlowProgram?>>>((flowId, version), entry));
            throw;
        }
    }

    private async Task<FlowProgram?> LoadAsync(long flowId, int version)
    {
        await using var connection = await database.OpenAsync();
        var definition = await connection.ExecuteScalarAsync<string?>(
            "SELECT definition::text FROM flow_versions WHERE flow_id = @flowId AND version = @version", new { flowId, version });
        return definition is null ? null : FlowProgram.Load(flowId, version, definition);
    }
}
