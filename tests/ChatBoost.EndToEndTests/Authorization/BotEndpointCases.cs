using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>The Bot Builder module's rows of the authorization matrix (bots.read/write, flows.read/write).</summary>
public static class BotEndpointCases
{
    private static readonly object TextNode = new { message_type = "text", content = new { text = "Hello" } };

    public static IEnumerable<EndpointCase> All()
    {
        // Bots.
        yield return new("POST /bots/",
            s => (HttpMethod.Post, "/bots/", new { organization_id = s.OrganizationId, name = "Matrix created" }), Expect.Writers(HttpStatusCode.Created));
        yield return new("GET /bots/", _ => (HttpMethod.Get, "/bots/", null), Expect.AnyUser());
        yield return new("GET /bots/?organization_id", s => (HttpMethod.Get, $"/bots/?organization_id={s.OrganizationId}", null), Expect.AnyMember());
        yield return new("GET /bots/{bot_id}", s => (HttpMethod.Get, $"/bots/{s.BotId}", null), Expect.AnyMember(), Setup: s => s.CreateBotAsync());
        yield return new("PUT /bots/{bot_id}",
            s => (HttpMethod.Put, $"/bots/{s.BotId}", new { description = "Updated in matrix" }), Expect.Writers(), Mutates: true, Setup: s => s.CreateBotAsync());
        yield return new("DELETE /bots/{bot_id}",
            s => (HttpMethod.Delete, $"/bots/{s.BotId}", null), Expect.Writers(HttpStatusCode.NoContent), Mutates: true, Setup: s => s.CreateBotAsync());

        // Flows.
        yield return new("POST /bots/flows/",
            s => (HttpMethod.Post, "/bots/flows/", new { bot_id = s.BotId, name = "Matrix created" }), Expect.Writers(HttpStatusCode.Created), Setup: s => s.CreateBotAsync());
        yield return new("GET /bots/flows/", _ => (HttpMethod.Get, "/bots/flows/", null), Expect.AnyUser());
        yield return new("GET /bots/flows/?bot_id", s => (HttpMethod.Get, $"/bots/flows/?bot_id={s.BotId}", null), Expect.AnyMember(), Setup: s => s.CreateBotAsync());
        yield return new("GET /bots/flows/{flow_id}", s => (HttpMethod.Get, $"/bots/flows/{s.FlowId}", null), Expect.AnyMember(), Setup: s => s.CreateFlowAsync());
        yield return new("PUT /bots/flows/{flow_id}",
            s => (HttpMethod.Put, $"/bots/flows/{s.FlowId}", new { name = "Renamed" }), Expect.Writers(), Mutates: true, Setup: s => s.CreateFlowAsync());
        yield return new("DELETE /bots/flows/{flow_id}",
            s => (HttpMethod.Delete, $"/bots/flows/{s.FlowId}", null), Expect.Writers(HttpStatusCode.NoContent), Mutates: true, Setup: s => s.CreateFlowAsync());
        yield return new("POST /bots/flows/{flow_id}/validate",
            s => (HttpMethod.Post, $"/bots/flows/{s.FlowId}/validate", null), Expect.AnyMember(), Setup: s => s.CreateNodeAsync());
        yield return new("POST /bots/flows/{flow_id}/publish",
            s => (HttpMethod.Post, $"/bots/flows/{s.FlowId}/publish", null), Expect.Writers(HttpStatusCode.Created), Mutates: true, Setup: s => s.CreateNodeAsync());
        yield return new("GET /bots/flows/{flow_id}/versions",
            s => (HttpMethod.Get, $"/bots/flows/{s.FlowId}/versions", null), Expect.AnyMember(), Setup: s => s.CreatePublishedFlowAsync());
        yield return new("GET /bots/flows/{flow_id}/versions/{version}",
            s => (HttpMethod.Get, $"/bots/flows/{s.FlowId}/versions/1", null), Expect.AnyMember(), Setup: s => s.CreatePublishedFlowAsync());

        // Nodes.
        yield return new("POST /bots/nodes/",
            s => (HttpMethod.Post, "/bots/nodes/", new { flow_id = s.FlowId, type = "send_message", config = TextNode }),
            Expect.Writers(HttpStatusCode.Created), Setup: s => s.CreateFlowAsync());
        yield return new("GET /bots/nodes/{node_id}", s => (HttpMethod.Get, $"/bots/nodes/{s.NodeId}", null), Expect.AnyMember(), Setup: s => s.CreateNodeAsync());
        yield return new("PUT /bots/nodes/{node_id}",
            s => (HttpMethod.Put, $"/bots/nodes/{s.NodeId}", new { type = "send_message", config = TextNode }), Expect.Writers(), Mutates: true, Setup: s => s.CreateNodeAsync());
        yield return new("DELETE /bots/nodes/{node_id}",
            s => (HttpMethod.Delete, $"/bots/nodes/{s.NodeId}", null), Expect.Writers(HttpStatusCode.NoContent), Mutates: true, Setup: s => s.CreateNodeAsync());

        // Templates.
        yield return new("POST /bots/templates/",
            s => (HttpMethod.Post, "/bots/templates/", new
            {
                organization_id = s.OrganizationId,
                name = "Matrix template",
                nodes = new[] { new { id = 1, type = "send_message", config = TextNode } },
            }),
            Expect.Writers(HttpStatusCode.Created));
        yield return new("GET /bots/templates/", _ => (HttpMethod.Get, "/bots/templates/", null), Expect.AnyUser());
        yield return new("GET /bots/templates/?organization_id",
            s => (HttpMethod.Get, $"/bots/templates/?organization_id={s.OrganizationId}", null), Expect.AnyMember());
        yield return new("POST /bots/templates/{template_id}/instantiate",
            s => (HttpMethod.Post, $"/bots/templates/{s.TemplateId}/instantiate", new { bot_id = s.BotId }),
            Expect.Writers(HttpStatusCode.Created), Setup: s => s.CreateTemplateAsync());
    }
}
