namespace ChatBoost.Grains.Flows.Definition;

/// <summary><c>send_message</c>: sends <see cref="Message"/> then goes to <see cref="Next"/>.</summary>
public sealed record SendMessageConfig(OutgoingMessage Message, long? Next) : NodeConfig
{
    public override string NodeType => FlowNodeTypes.SendMessage;

    public override IReadOnlyList<NodeBranch> Branches => [new("next", Next)];
}
