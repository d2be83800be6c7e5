using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// Turns a <c>webhook_action</c> node into a <see cref="CallWebhookEffect"/>: the URL rendered with percent-encoded
/// placeholder values, header values rendered (no control characters), and the body rebuilt as JSON with its strings
/// rendered (so rendered values are always properly escaped). Problems throw <see cref="FlowStepException"/>.
/// </summary>
internal static class WebhookRequestBuilder
{
    public static CallWebhookEffect Build(long nodeId, WebhookActionConfig config, NodeRenderer renderer)
    {
        var url = renderer.Url(config.Url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new FlowStepException("the URL is not an absolute http(s) URL after rendering.");
        }

        var headers = new List<KeyValuePair<string, string>>(config.Headers.Count);
        foreach (var (name, template) in config.Headers)
        {
            var value = renderer.Text(template);
            if (value.Any(c => char.IsControl(c) && c != '\t'))
            {
                throw new FlowStepException($"the value of header '{name}' holds a line break or control character after rendering.");
            }

            headers.Add(new(name, value));
        }

        var body = config.Body is { } bodyTemplate && config.Method != WebhookMethods.Get ? renderer.JsonText(bodyTemplate) : null;
        return new CallWebhookEffect(nodeId, config.Method, url, headers, body, TimeSpan.FromSeconds(config.TimeoutSeconds));
    }
}
