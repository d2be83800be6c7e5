namespace ChatBoost.Grains.Flows.Definition;

/// <summary><c>wait</c> for a fixed time (<c>duration</c> + <c>unit</c>), then go to <see cref="Next"/>.</summary>
public sealed record WaitForDurationConfig(double Duration, string Unit, long? Next) : NodeConfig
{
    public TimeSpan Delay => WaitUnits.ToTimeSpan(Duration, Unit);

    public override string NodeType => FlowNodeTypes.Wait;

    public override IReadOnlyList<NodeBranch> Branches => [new("next", Next)];
}

/// <summary>
/// <c>wait</c> with <c>until: reply</c>: pause until the contact replies, store the reply in
/// <see cref="StoreResponseIn"/> and go to <see cref="Next"/>; after the timeout go to <see cref="TimeoutPath"/>.
/// </summary>
public sealed record WaitForReplyConfig(double Timeout, string TimeoutUnit, PlaceholderRef StoreResponseIn, long? Next, long? TimeoutPath)
    : NodeConfig
{
    public const string DefaultStoreResponseIn = "state.user_response";

    public TimeSpan TimeoutSpan => WaitUnits.ToTimeSpan(Timeout, TimeoutUnit);

    public override string NodeType => FlowNodeTypes.Wait;

    public override IReadOnlyList<NodeBranch> Branches => [new("next", Next), new("timeout_path", TimeoutPath)];
}
