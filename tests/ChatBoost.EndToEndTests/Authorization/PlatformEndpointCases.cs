using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// Health probes and the OpenAPI document: PUBLIC BY DESIGN (an orchestrator's probe has no token; the document
/// describes the public contract). They reveal no tenant data, so every caller gets the same answer.
/// </summary>
public static class PlatformEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        yield return new("GET /health/live", _ => (HttpMethod.Get, "/health/live", null), AuthEndpointCases.Everyone(HttpStatusCode.OK));
        yield return new("GET /health/ready", _ => (HttpMethod.Get, "/health/ready", null), AuthEndpointCases.Everyone(HttpStatusCode.OK));
        yield return new("GET /openapi/v1.json", _ => (HttpMethod.Get, "/openapi/v1.json", null), AuthEndpointCases.Everyone(HttpStatusCode.OK));
    }
}
