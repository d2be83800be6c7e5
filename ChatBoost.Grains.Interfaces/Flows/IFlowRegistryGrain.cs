namespace ChatBoost.Grains.Interfaces.Flows;

/// <summary>
/// Look-ups over the flow tables and the flow templates (<c>flow_templates</c>, records without a grain of
/// their own: a template is written once and read): a stateless worker on every silo.
/// </summary>
[Alias("chatboost.flows.IFlowRegistryGrain")]
public interface IFlowRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Live flows of live bots in the user's organizations (or of one bot), by id, without nodes.</summary>
    [Alias("ListFlows")]
    Task<IReadOnlyList<FlowView>> ListFlowsAsync(long userId, long? botId, int limit, int offset);

    /// <summary>The live flow holding this draft node, or null.</summary>
    [Alias("FindFlowOfNode")]
    Task<long?> FindFlowOfNodeAsync(long nodeId);

    /// <summary>Validates the graph like a flow on publish and stores the template.</summary>
    [Alias("CreateTemplate")]
    Task<ValidatedResult<TemplateView>> CreateTemplateAsync(CreateTemplateCommand command);

    [Alias("ListTemplates")]
    Task<IReadOnlyList<TemplateView>> ListTemplatesAsync(long userId, long? organizationId, int limit, int offset);

    /// <summary>The organization of a live template, or null.</summary>
    [Alias("GetTemplateOrganization")]
    Task<long?> GetTemplateOrganizationAsync(long templateId);

    /// <summary>Creates a flow in the bot from the template: fresh node ids, references remapped. The bot must
    /// belong to the template's organization.</summary>
    [Alias("Instantiate")]
    Task<CommandResult<FlowView>> InstantiateTemplateAsync(long actorUserId, long templateId, long botId, string? name);
}
