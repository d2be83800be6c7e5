using System.Text.Json;
using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// Renders the strings of one node entry and reports each missing reference once (per node entry).
/// </summary>
internal sealed class NodeRenderer(Func<PlaceholderRef, JsonElement?> resolve, Action<PlaceholderRef> reportMissing)
{
    private readonly HashSet<PlaceholderRef> reported = [];

    public JsonElement? Resolve(PlaceholderRef reference) => resolve(reference);

    /// <summary>Text a person reads, or any plain string.</summary>
    public string Text(string template) => FlowRendering.Render(template, resolve, Missing);

    /// <summary>A URL: each placeholder's value is percent-encoded so it stays one path segment or query value.</summary>
    public string Url(string template) => FlowRendering.Render(template, resolve, Missing, Uri.EscapeDataString);

    /// <summary>A JSON value with its strings rendered, as compact JSON text.</summary>
    public string JsonText(JsonElement template) => FlowRendering.RenderJsonText(template, Text);

    private void Missing(PlaceholderRef reference)
    {
        if (reported.Add(reference))
        {
            reportMissing(reference);
        }
    }
}

/// <summary>A node cannot be performed (e.g. its rendered message breaks a WhatsApp limit): the execution fails.</summary>
internal sealed class FlowStepException(string message) : Exception(message);
