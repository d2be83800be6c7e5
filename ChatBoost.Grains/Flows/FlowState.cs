namespace ChatBoost.Grains.Flows;

/// <summary>
/// A flow's write model: its profile and its draft graph. Published versions are rows of <c>flow_versions</c>;
/// only the latest number is kept here, so the state is bounded by the draft (at most 500 nodes of at most 16 KB).
/// </summary>
[GenerateSerializer, Alias("chatboost.flows.FlowState")]
public sealed class FlowState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public long BotId { get; set; }

    [Id(2)] public long OrganizationId { get; set; }

    [Id(3)] public string Name { get; set; } = "";

    [Id(4)] public string? Description { get; set; }

    /// <summary>The entry node set explicitly; null means the default, the first node created (smallest id).</summary>
    [Id(5)] public long? EntryNodeId { get; set; }

    [Id(6)] public Dictionary<long, FlowNodeRecord> Nodes { get; set; } = [];

    [Id(7)] public int? LatestVersion { get; set; }

    [Id(8)] public long CreatedBy { get; set; }

    [Id(9)] public DateTimeOffset CreatedAt { get; set; }

    [Id(10)] public DateTimeOffset? UpdatedAt { get; set; }

    [Id(11)] public DateTimeOffset? DeletedAt { get; set; }

    public bool IsLive => Exists && DeletedAt is null;
}

[GenerateSerializer, Immutable, Alias("chatboost.flows.FlowNodeRecord")]
public sealed record FlowNodeRecord(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Name,
    [property: Id(2)] string ConfigJson,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? UpdatedAt = null);
