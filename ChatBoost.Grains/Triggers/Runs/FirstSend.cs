using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>
/// Whether a flow's first message to a contact needs the 24-hour customer-service window, pure. Every path from the entry
/// is followed to its first <c>send_message</c>: if each one sends a template (allowed outside the window) — or no path
/// sends anything — the flow can start for any contact; if any first send is free-form (text, media, interactive), a
/// contact outside the window would get Meta's 131047, so the run skips them. Conditions count as both branches: which
/// one runs depends on the contact, and the run decides before the flow starts.
/// </summary>
public static class FirstSend
{
    public static bool NeedsWindow(FlowProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var seen = new HashSet<long>();
        var pending = new Stack<long>([program.EntryNodeId]);
        while (pending.TryPop(out var id))
        {
            if (!seen.Add(id) || !program.Nodes.TryGetValue(id, out var node))
            {
                continue;
            }

            if (node.Config is SendMessageConfig send)
            {
                if (send.Message is not TemplateMessage)
                {
                    return true;
                }

                continue; // this path starts with a template; later sends are the flow's business, as in any execution
            }

            foreach (var next in node.Config.Successors)
            {
                pending.Push(next);
            }
        }

        return false;
    }
}
