namespace ChatBoost.Grains.Interfaces.Flows;

/// <summary>
/// One flow, keyed by the integer id from <c>flows_id_seq</c>: a draft graph of nodes that editing changes, and
/// immutable published versions (rows of <c>flow_versions</c>; the grain keeps only the latest number, so its
/// state stays bounded). Node ids come from <c>flow_nodes_id_seq</c>. The <c>flows</c> and <c>flow_nodes</c>
/// tables are projections of the state. Created by its bot (<see cref="Bots.IBotGrain.CreateFlowAsync"/>).
/// </summary>
[Alias("chatboost.flows.IFlowGrain")]
public interface IFlowGrain : IGrainWithIntegerKey
{
    /// <summary>Called by the bot grain only.</summary>
    [Alias("Create")]
    Task<CommandResult<FlowView>> CreateAsync(long botId, long organizationId, CreateFlowCommand command);

    /// <summary>The flow with its draft nodes, or null when it does not exist or was deleted.</summary>
    [Alias("Get")]
    Task<FlowView?> GetAsync();

    [Alias("GetOrganizationId")]
    Task<long?> GetOrganizationIdAsync();

    /// <summary>Whether new executions may start (the flow exists and is not deleted).</summary>
    [Alias("IsLive")]
    Task<bool> IsLiveAsync();

    [Alias("Update")]
    Task<CommandResult<FlowView>> UpdateAsync(UpdateFlowCommand command);

    /// <summary>Soft delete: the flow answers as missing; its rows and published versions stay.</summary>
    [Alias("Delete")]
    Task<CommandResult<bool>> DeleteAsync(long actorUserId);

    [Alias("AddNode")]
    Task<ValidatedResult<NodeView>> AddNodeAsync(long actorUserId, NodeInput node);

    [Alias("GetNode")]
    Task<NodeView?> GetNodeAsync(long nodeId);

    [Alias("UpdateNode")]
    Task<ValidatedResult<NodeView>> UpdateNodeAsync(long actorUserId, long nodeId, NodeInput node);

    /// <summary>Refused (conflict, listing the referrers) while another node's branch names it.</summary>
    [Alias("DeleteNode")]
    Task<ValidatedResult<bool>> DeleteNodeAsync(long actorUserId, long nodeId);

    /// <summary>The full publish validation of the draft, without publishing.</summary>
    [Alias("Validate")]
    Task<ValidatedResult<bool>> ValidateAsync();

    /// <summary>Validates the whole draft and stores it as the next immutable version.</summary>
    [Alias("Publish")]
    Task<ValidatedResult<PublishedVersion>> PublishAsync(long actorUserId);

    /// <summary>Published versions, newest first; null when the flow does not exist or was deleted.</summary>
    [Alias("ListVersions")]
    Task<IReadOnlyList<FlowVersionView>?> ListVersionsAsync(int limit, int offset);

    [Alias("GetVersion")]
    Task<FlowVersionView?> GetVersionAsync(int version);
}
