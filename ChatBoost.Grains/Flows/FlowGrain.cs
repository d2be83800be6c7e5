using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Organizations;
using Dapper;

namespace ChatBoost.Grains.Flows;

/// <inheritdoc cref="IFlowGrain"/>
public sealed class FlowGrain(
    [PersistentState("flow", "Default")] IPersistentState<FlowState> state,
    Database database,
    TimeProvider time) : Grain, IFlowGrain
{
    public const string ResourceKind = "flows";

    /// <summary>The code of the problems listing the referrers of a node that cannot be deleted.</summary>
    public const string NodeReferencedCode = "node_referenced";

    private readonly FlowProjection _projection = new(database);

    private long Id => this.GetPrimaryKeyLong();

    private FlowState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Exists)
        {
            await _projection.SaveAsync(Id, S, cancellationToken);
        }
    }

    public async Task<CommandResult<FlowView>> CreateAsync(long botId, long organizationId, CreateFlowCommand command)
    {
        if (S.Exists)
        {
            return CommandResult.Fail<FlowView>(CommandStatus.Conflict, "Flow already exists.");
        }

        var now = time.GetUtcNow();
        S.Exists = true;
        S.BotId = botId;
        S.OrganizationId = organizationId;
        S.Name = command.Name;
        S.Description = command.Description;
        S.CreatedBy = command.ActorUserId;
        S.CreatedAt = now;
        if (command.Nodes is { Count: > 0 } nodes)
        {
            // Fresh ids in key order, so the smallest key (the template's default entry) gets the smallest id.
            var keys = nodes.Select(n => n.Key).Order().ToList();
            var ids = await NextNodeIdsAsync(keys.Count);
            var map = keys.Zip(ids).ToDictionary(p => p.First, p => p.Second);
            foreach (var node in nodes)
            {
                S.Nodes[map[node.Key]] = new FlowNodeRecord(node.Type, node.Name, FlowDocuments.RemapReferences(node.Type, node.ConfigJson, map), now);
            }

            S.EntryNodeId = command.EntryNodeKey is { } entry && map.TryGetValue(entry, out var entryId) ? entryId : null;
        }

        await SaveAsync();
        await GrainFactory.GetGrain<IOrganizationGrain>(organizationId).RegisterResourceAsync(ResourceKind, Id);
        return CommandResult.Ok(ToView(withNodes: true));
    }

    public Task<FlowView?> GetAsync() => Task.FromResult(S.IsLive ? ToView(withNodes: true) : null);

    public Task<long?> GetOrganizationIdAsync() => Task.FromResult(S.IsLive ? S.OrganizationId : (long?)null);

    public Task<bool> IsLiveAsync() => Task.FromResult(S.IsLive);

    public async Task<CommandResult<FlowView>> UpdateAsync(UpdateFlowCommand command)
    {
        if (!S.IsLive)
        {
            return CommandResult.Fail<FlowView>(CommandStatus.NotFound, "Flow not found.");
        }

        if (command.EntryNodeId is { NodeId: { } entry } && !S.Nodes.ContainsKey(entry))
        {
            return CommandResult.Fail<FlowView>(CommandStatus.Invalid, $"Node {entry} is not a node of this flow.", "entry_node_id");
        }

        S.Name = command.Name ?? S.Name;
        S.Description = command.Description is { } description ? description.Value : S.Description;
        S.EntryNodeId = command.EntryNodeId is { } change ? change.NodeId : S.EntryNodeId;
        S.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return CommandResult.Ok(ToView(withNodes: true));
    }

    public async Task<CommandResult<bool>> DeleteAsync(long actorUserId)
    {
        if (!S.IsLive)
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, "Flow not found.");
        }

        S.DeletedAt = time.GetUtcNow();
        await SaveAsync();
        await GrainFactory.GetGrain<IOrganizationGrain>(S.OrganizationId).UnregisterResourceAsync(ResourceKind, Id);
        return CommandResult.Ok(true);
    }

    public async Task<ValidatedResult<NodeView>> AddNodeAsync(long actorUserId, NodeInput node)
    {
        if (!S.IsLive)
        {
            return ValidatedResult.Fail<NodeView>(CommandStatus.NotFound, "Flow not found.");
        }

        if (S.Nodes.Count >= FlowLimits.MaxNodesPerFlow)
        {
            return ValidatedResult.Fail<NodeView>(CommandStatus.Invalid, "The flow is full.",
                [new ProblemView(ProblemView.Error, null, "nodes", FlowProblemCodes.TooManyNodes, $"A flow has at most {FlowLimits.MaxNodesPerFlow} nodes.")]);
        }

        var id = (await NextNodeIdsAsync(1))[0];
        var ids = S.Nodes.Keys.Append(id).ToHashSet();
        if (Refused<NodeView>(new FlowDefinitionNode(id, node.Type, node.Name, node.ConfigJson), ids) is { } refused)
        {
            return refused;
        }

        var record = new FlowNodeRecord(node.Type, node.Name, node.ConfigJson, time.GetUtcNow());
        S.Nodes[id] = record;
        S.UpdatedAt = record.CreatedAt;
        await SaveAsync();
        return ValidatedResult.Ok(ToView(id, record));
    }

    public Task<NodeView?> GetNodeAsync(long nodeId) =>
        Task.FromResult(S.IsLive && S.Nodes.TryGetValue(nodeId, out var node) ? ToView(nodeId, node) : null);

    public async Task<ValidatedResult<NodeView>> UpdateNodeAsync(long actorUserId, long nodeId, NodeInput node)
    {
        if (!S.IsLive || !S.Nodes.TryGetValue(nodeId, out var current))
        {
            return ValidatedResult.Fail<NodeView>(CommandStatus.NotFound, "Node not found.");
        }

        if (Refused<NodeView>(new FlowDefinitionNode(nodeId, node.Type, node.Name, node.ConfigJson), S.Nodes.Keys.ToHashSet()) is { } refused)
        {
            return refused;
        }

        var record = current with { Type = node.Type, Name = node.Name, ConfigJson = node.ConfigJson, UpdatedAt = time.GetUtcNow() };
        S.Nodes[nodeId] = record;
        S.UpdatedAt = record.UpdatedAt;
        await SaveAsync();
        return ValidatedResult.Ok(ToView(nodeId, record));
    }

    public async Task<ValidatedResult<bool>> DeleteNodeAsync(long actorUserId, long nodeId)
    {
        if (!S.IsLive || !S.Nodes.ContainsKey(nodeId))
        {
            return ValidatedResult.Fail<bool>(CommandStatus.NotFound, "Node not found.");
        }

        var referrers = S.Nodes
            .Where(n => n.Key != nodeId)
            .SelectMany(n => FlowDocuments.Branches(n.Value.Type, n.Value.ConfigJson)
                .Where(b => b.Target == nodeId)
                .Select(b => new ProblemView(ProblemView.Error, n.Key, "config." + b.Field, NodeReferencedCode,
                    $"Node {n.Key} leads to node {nodeId} through config.{b.Field}.")))
            .OrderBy(p => p.NodeId)
            .ToList();
        if (referrers.Count > 0)
        {
            return ValidatedResult.Fail<bool>(CommandStatus.Conflict,
                $"Node {nodeId} is referenced by node(s) {string.Join(", ", referrers.Select(r => r.NodeId).Distinct())}: change or delete those branches first.",
                referrers);
        }

        S.Nodes.Remove(nodeId);
        if (S.EntryNodeId == nodeId)
        {
            // The entry node set explicitly is gone: the flow falls back to its default entry, the first node created.
            S.EntryNodeId = null;
        }

        S.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return ValidatedResult.Ok(true);
    }

    public Task<ValidatedResult<bool>> ValidateAsync()
    {
        if (!S.IsLive)
        {
            return Task.FromResult(ValidatedResult.Fail<bool>(CommandStatus.NotFound, "Flow not found."));
        }

        var problems = FlowValidator.ValidateFlow(Definition());
        return Task.FromResult(new ValidatedResult<bool>(CommandStatus.Ok, !problems.Any(p => p.IsError), null, FlowDocuments.ToViews(problems)));
    }

    public async Task<ValidatedResult<PublishedVersion>> PublishAsync(long actorUserId)
    {
        if (!S.IsLive)
        {
            return ValidatedResult.Fail<PublishedVersion>(CommandStatus.NotFound, "Flow not found.");
        }

        var definition = Definition();
        var problems = FlowValidator.ValidateFlow(definition);
        if (problems.Any(p => p.IsError))
        {
            return ValidatedResult.Fail<PublishedVersion>(CommandStatus.Invalid,
                "The flow has errors and was not published; every problem is listed.", FlowDocuments.ToViews(problems));
        }

        var now = time.GetUtcNow();
        var snapshot = FlowDocuments.Snapshot(definition.ResolvedEntryNodeId, definition.Nodes);
        int version;
        await using (var connection = await database.OpenAsync())
        {
            // The table is the record of versions: a version written before a failed state write is never reused.
            var stored = await connection.ExecuteScalarAsync<int?>("SELECT max(version) FROM flow_versions WHERE flow_id = @Id", new { Id });
            version = Math.Max(stored ?? 0, S.LatestVersion ?? 0) + 1;
            await connection.ExecuteAsync(
                """
                INSERT INTO flow_versions (flow_id, version, definition, published_at, published_by)
                VALUES (@Id, @Version, @Definition::jsonb, @PublishedAt, @PublishedBy)
                """,
                new { Id, Version = version, Definition = snapshot, PublishedAt = now, PublishedBy = actorUserId });
        }

        S.LatestVersion = version;
        await SaveAsync();
        return ValidatedResult.Ok(new PublishedVersion(Id, version, now, actorUserId), FlowDocuments.ToViews(problems));
    }

    public async Task<IReadOnlyList<FlowVersionView>?> ListVersionsAsync(int limit, int offset)
    {
        if (!S.IsLive)
        {
            return null;
        }

        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(int Version, DateTime PublishedAt, long PublishedBy, int NodeCount)>(
            """
            SELECT version, published_at, published_by, jsonb_array_length(definition -> 'nodes')
            FROM flow_versions WHERE flow_id = @Id ORDER BY version DESC LIMIT @Limit OFFSET @Offset
            """,
            new { Id, Limit = limit, Offset = offset });
        return [.. rows.Select(r => new FlowVersionView(Id, r.Version, Utc(r.PublishedAt), r.PublishedBy, r.NodeCount, null))];
    }

    public async Task<FlowVersionView?> GetVersionAsync(int version)
    {
        if (!S.IsLive)
        {
            return null;
        }

        await using var connection = await database.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<(int Version, DateTime PublishedAt, long PublishedBy, int NodeCount, string Definition)>(
            """
            SELECT version, published_at, published_by, jsonb_array_length(definition -> 'nodes'), definition::text
            FROM flow_versions WHERE flow_id = @Id AND version = @Version
            """,
            new { Id, Version = version });
        return row.Version > 0 ? new FlowVersionView(Id, row.Version, Utc(row.PublishedAt), row.PublishedBy, row.NodeCount, row.Definition) : null;
    }

    private static ValidatedResult<T>? Refused<T>(FlowDefinitionNode node, IReadOnlySet<long> ids)
    {
        var problems = FlowValidator.ValidateNode(node, ids);
        return problems.Any(p => p.IsError)
            ? ValidatedResult.Fail<T>(CommandStatus.Invalid, "The node is not valid; every problem is listed.", FlowDocuments.ToViews(problems))
            : null;
    }

    private FlowDefinition Definition() =>
        new(S.EntryNodeId, [.. S.Nodes.OrderBy(n => n.Key).Select(n => new FlowDefinitionNode(n.Key, n.Value.Type, n.Value.Name, n.Value.ConfigJson))]);

    /// <summary>State first (the truth), then the projection; on failure the activation is dropped (as OrganizationGrain).</summary>
    private async Task SaveAsync()
    {
        try
        {
            await state.WriteStateAsync();
            await _projection.SaveAsync(Id, S);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task<long[]> NextNodeIdsAsync(int count)
    {
        await using var connection = await database.OpenAsync();
        return [.. await connection.QueryAsync<long>("SELECT nextval('flow_nodes_id_seq') FROM generate_series(1, @Count)", new { Count = count })];
    }

    private NodeView ToView(long id, FlowNodeRecord n) => new(id, Id, n.Type, n.Name, n.ConfigJson, n.CreatedAt, n.UpdatedAt);

    private FlowView ToView(bool withNodes) => new(
        Id, S.BotId, S.OrganizationId, S.Name, S.Description, S.EntryNodeId, Definition().ResolvedEntryNodeId, S.Nodes.Count, S.LatestVersion,
        S.CreatedBy, S.CreatedAt, S.UpdatedAt, withNodes ? [.. S.Nodes.OrderBy(n => n.Key).Select(n => ToView(n.Key, n.Value))] : null);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
