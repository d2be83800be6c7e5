namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// A URL that may hold placeholders in its path, query or fragment, but whose scheme and host are literal, so the
/// destination of a call is known when the flow is published.
/// </summary>
internal static class UrlRules
{
    public static void CheckTemplatedUrl(string url, string field, ProblemSink sink)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            sink.Error(field, FlowProblemCodes.InvalidUrl, $"{field} must be an absolute http:// or https:// URL.");
            return;
        }

        var authorityEnd = url.IndexOfAny(['/', '?', '#'], schemeEnd + 3);
        var origin = authorityEnd < 0 ? url : url[..authorityEnd];
        if (origin.Contains("{{", StringComparison.Ordinal) || origin.Contains("}}", StringComparison.Ordinal))
        {
            sink.Error(field, FlowProblemCodes.PlaceholderNotAllowed,
                $"{field}: the scheme and host must be literal; placeholders are allowed only in the path and query.");
            return;
        }

        var sample = Placeholders.Render(url, _ => "x");
        if (!Uri.TryCreate(sample, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host)
            || sample.Any(char.IsWhiteSpace))
        {
            sink.Error(field, FlowProblemCodes.InvalidUrl, $"{field} must be an absolute http:// or https:// URL.");
        }
    }
}
