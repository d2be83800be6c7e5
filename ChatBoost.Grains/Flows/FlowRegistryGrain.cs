using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Organizations;
using Dapper;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Flows;

/// <inheritdoc cref="IFlowRegistryGrain"/>
/// <remarks>
/// Templates have no grain: one is written once (validated like a flow on publish) and then only read, so a row of
/// <c>flow_templates</c> is its whole life and this stateless worker is enough.
/// </remarks>
[StatelessWorker]
[Reentrant]
public sealed class FlowRegistryGrain(Database database, TimeProvider time) : Grain, IFlowRegistryGrain
{
    /// <summary>The organization's resource kind for templates, capped by <see cref="Organizations.OrganizationLimits.TemplatesPerOrganization"/>.</summary>
    public const string TemplateResourceKind = "templates";

    private const string FlowColumns =
        """
        f.id AS Id, f.bot_id AS BotId, f.organization_id AS OrganizationId, f.name AS Name, f.description AS Description,
        f.entry_node_id AS EntryNodeId, f.node_count AS NodeCount, f.latest_version AS LatestVersion, f.created_by AS CreatedBy,
        f.created_at AS CreatedAt, f.updated_at AS UpdatedAt,
        COALESCE(f.entry_node_id, (SELECT min(n.node_id) FROM flow_nodes n WHERE n.flow_id = f.id)) AS ResolvedEntryNodeId
        """;

    private const string TemplateColumns =
        """
        t.id AS Id, t.organization_id AS OrganizationId, t.name AS Name, t.description AS Description, t.node_count AS NodeCount,
        t.definition::text AS DefinitionJson, t.created_by AS CreatedBy, t.created_at AS CreatedAt
        """;

    public async Task<IReadOnlyList<FlowView>> ListFlowsAsync(long userId, long? botId, int limit, int offset)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<FlowRow>(
            $"""
            SELECT {FlowColumns}
            FROM flows f
            JOIN bots b ON b.id = f.bot_id AND b.deleted_at IS NULL
            JOIN organization_members m ON m.organization_id = f.organization_id AND m.user_id = @UserId
            JOIN organizations o ON o.id = f.organization_id AND o.deleted_at IS NULL
            WHERE f.deleted_at IS NULL AND (@BotId::bigint IS NULL OR f.bot_id = @BotId)
            ORDER BY f.id
            LIMIT @Limit OFFSET @Offset
            """,
            new { UserId = userId, BotId = botId, Limit = limit, Offset = offset });
        return [.. rows.Select(r => r.ToView())];
    }

    public async Task<long?> FindFlowOfNodeAsync(long nodeId)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT n.flow_id FROM flow_nodes n JOIN flows f ON f.id = n.flow_id AND f.deleted_at IS NULL WHERE n.node_id = @NodeId",
            new { NodeId = nodeId });
    }

    public async Task<ValidatedResult<TemplateView>> CreateTemplateAsync(CreateTemplateCommand command)
    {
        var nodes = command.Nodes.Select(n => new FlowDefinitionNode(n.Key, n.Type, n.Name, n.ConfigJson)).ToList();
        var definition = new FlowDefinition(command.EntryNodeKey, nodes);
        var problems = FlowValidator.ValidateFlow(definition);
        if (problems.Any(p => p.IsError))
        {
            return ValidatedResult.Fail<TemplateView>(CommandStatus.Invalid, "The template's graph has errors; every problem is listed.", FlowDocuments.ToViews(problems));
        }

        var snapshot = FlowDocuments.Snapshot(command.EntryNodeKey, nodes);
        await using var connection = await database.OpenAsync();
        var id = await connection.ExecuteScalarAsync<long>("SELECT nextval('flow_templates_id_seq')");
        if (await GrainFactory.GetGrain<IOrganizationGrain>(command.OrganizationId).ReserveResourceAsync(TemplateResourceKind, id) is { IsOk: false } capped)
        {
            return ValidatedResult.Fail<TemplateView>(capped.Status, capped.Detail!, []);
        }

        var row = await connection.QuerySingleAsync<TemplateRow>(
            $"""
            INSERT INTO flow_templates AS t (id, organization_id, name, description, definition, node_count, created_by, created_at)
            VALUES (@Id, @OrganizationId, @Name, @Description, @Definition::jsonb, @NodeCount, @CreatedBy, @CreatedAt)
            RETURNING {TemplateColumns}
            """,
            new
            {
                Id = id,
                command.OrganizationId,
                command.Name,
                command.Description,
                Definition = snapshot,
                NodeCount = nodes.Count,
                CreatedBy = command.ActorUserId,
                CreatedAt = time.GetUtcNow(),
            });
        return ValidatedResult.Ok(row.ToView(), FlowDocuments.ToViews(problems));
    }

    public async Task<IReadOnlyList<TemplateView>> ListTemplatesAsync(long userId, long? organizationId, int limit, int offset)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<TemplateRow>(
            $"""
            SELECT {TemplateColumns}
            FROM flow_templates t
            JOIN organization_members m ON m.organization_id = t.organization_id AND m.user_id = @UserId
            JOIN organizations o ON o.id = t.organization_id AND o.deleted_at IS NULL
            WHERE t.deleted_at IS NULL AND (@OrganizationId::bigint IS NULL OR t.organization_id = @OrganizationId)
            ORDER BY t.id
            LIMIT @Limit OFFSET @Offset
            """,
            new { UserId = userId, OrganizationId = organizationId, Limit = limit, Offset = offset });
        return [.. rows.Select(r => r.ToView())];
    }

    public async Task<long?> GetTemplateOrganizationAsync(long templateId)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT organization_id FROM flow_templates WHERE id = @Id AND deleted_at IS NULL", new { Id = templateId });
    }

    public async Task<CommandResult<FlowView>> InstantiateTemplateAsync(long actorUserId, long templateId, long botId, string? name)
    {
        TemplateRow? template;
        await using (var connection = await database.OpenAsync())
        {
            template = await connection.QuerySingleOrDefaultAsync<TemplateRow>(
                $"SELECT {TemplateColumns} FROM flow_templates t WHERE t.id = @Id AND t.deleted_at IS NULL", new { Id = templateId });
        }

        var bot = GrainFactory.GetGrain<IBotGrain>(botId);
        if (template is null || await bot.GetOrganizationIdAsync() != template.OrganizationId)
        {
            return CommandResult.Fail<FlowView>(CommandStatus.NotFound, "Template not found in the bot's organization.");
        }

        var (entry, nodes) = FlowDocuments.Read(template.DefinitionJson);
        return await bot.CreateFlowAsync(new CreateFlowCommand(
            actorUserId, name ?? template.Name, template.Description, [.. nodes.Select(n => new TemplateNode(n.Id, n.Type, n.Name, n.ConfigJson))], entry, templateId));
    }

    private sealed record FlowRow(
        long Id, long BotId, long OrganizationId, string Name, string? Description, long? EntryNodeId, int NodeCount, int? LatestVersion,
        long CreatedBy, DateTime CreatedAt, DateTime? UpdatedAt, long? ResolvedEntryNodeId)
    {
        public FlowView ToView() => new(
            Id, BotId, OrganizationId, Name, Description, EntryNodeId, ResolvedEntryNodeId, NodeCount, LatestVersion, CreatedBy,
            Utc(CreatedAt), UpdatedAt is { } u ? Utc(u) : null, null);
    }

    private sealed record TemplateRow(
        long Id, long OrganizationId, string Name, string? Description, int NodeCount, string DefinitionJson, long CreatedBy, DateTime CreatedAt)
    {
        public TemplateView ToView() => new(Id, OrganizationId, Name, Description, NodeCount, DefinitionJson, CreatedBy, Utc(CreatedAt));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
