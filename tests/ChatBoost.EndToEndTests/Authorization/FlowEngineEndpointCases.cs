using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The Flow Engine (flows.read / flows.execute) and Contact Attributes (contacts.read / contacts.write) rows of the
/// authorization matrix. Every row with a setup gets a fresh scene per caller, so each caller acts on its own execution
/// or contact: cancel, resume and input always find an active execution.
/// </summary>
public static class FlowEngineEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        // Executions.
        yield return new("POST /flows/execute",
            s => (HttpMethod.Post, "/flows/execute", new { flow_id = s.FlowId, contact_phone = MatrixScene.NewPhone(), bot_id = s.BotId, initial_state = new { source = "matrix" } }),
            Expect.Writers(HttpStatusCode.Created), Mutates: true, Setup: s => s.CreatePublishedWaitFlowAsync());
        yield return new("GET /flows/executions/{execution_id}",
            s => (HttpMethod.Get, $"/flows/executions/{s.ExecutionId}", null), Expect.AnyMember(), Setup: s => s.StartExecutionAsync());
        yield return new("GET /flows/executions/contact/{phone}",
            _ => (HttpMethod.Get, "/flows/executions/contact/15550001234", null), Expect.AnyUser());
        yield return new("GET /flows/executions/contact/{phone}?organization_id",
            s => (HttpMethod.Get, $"/flows/executions/contact/{s.ContactPhone}?organization_id={s.OrganizationId}", null),
            Expect.AnyMember(), Setup: s => s.StartExecutionAsync());
        yield return new("GET /flows/executions/contact/{phone}?bot_id",
            s => (HttpMethod.Get, $"/flows/executions/contact/{s.ContactPhone}?bot_id={s.BotId}", null),
            Expect.AnyMember(), Setup: s => s.StartExecutionAsync());
        yield return new("POST /flows/executions/{execution_id}/resume",
            s => (HttpMethod.Post, $"/flows/executions/{s.ExecutionId}/resume", null),
            Expect.Writers(), Mutates: true, Setup: s => s.StartExecutionAsync(untilReply: false));
        yield return new("POST /flows/executions/{execution_id}/cancel",
            s => (HttpMethod.Post, $"/flows/executions/{s.ExecutionId}/cancel", new { reason = "matrix" }),
            Expect.Writers(), Mutates: true, Setup: s => s.StartExecutionAsync());
        yield return new("POST /flows/executions/{execution_id}/input",
            s => (HttpMethod.Post, $"/flows/executions/{s.ExecutionId}/input", new { execution_id = s.ExecutionId, message = "yes", message_type = "text" }),
            Expect.Writers(), Mutates: true, Setup: s => s.StartExecutionAsync());
        yield return new("GET /flows/executions/{execution_id}/logs",
            s => (HttpMethod.Get, $"/flows/executions/{s.ExecutionId}/logs?limit=10", null), Expect.AnyMember(), Setup: s => s.StartExecutionAsync());
        yield return new("GET /flows/statistics", _ => (HttpMethod.Get, "/flows/statistics", null), Expect.AnyUser());
        yield return new("GET /flows/statistics?organization_id",
            s => (HttpMethod.Get, $"/flows/statistics?organization_id={s.OrganizationId}", null), Expect.AnyMember());
        yield return new("GET /flows/statistics?bot_id",
            s => (HttpMethod.Get, $"/flows/statistics?bot_id={s.BotId}", null), Expect.AnyMember(), Setup: s => s.CreateBotAsync());
        yield return new("GET /flows/statistics?flow_id",
            s => (HttpMethod.Get, $"/flows/statistics?flow_id={s.FlowId}", null), Expect.AnyMember(), Setup: s => s.CreateFlowAsync());

        // Contacts.
        yield return new("POST /flows/contacts/",
            s => (HttpMethod.Post, "/flows/contacts/", new { bot_id = s.BotId, phone = MatrixScene.NewPhone(), name = "Created in matrix" }),
            Expect.Writers(HttpStatusCode.Created), Mutates: true, Setup: s => s.CreateBotAsync());
        yield return new("GET /flows/contacts/", _ => (HttpMethod.Get, "/flows/contacts/", null), Expect.AnyUser());
        yield return new("GET /flows/contacts/?organization_id",
            s => (HttpMethod.Get, $"/flows/contacts/?organization_id={s.OrganizationId}", null), Expect.AnyMember());
        yield return new("GET /flows/contacts/?bot_id",
            s => (HttpMethod.Get, $"/flows/contacts/?bot_id={s.BotId}", null), Expect.AnyMember(), Setup: s => s.CreateContactAsync());
        yield return new("GET /contacts/{contact_id}",
            s => (HttpMethod.Get, $"/contacts/{s.ContactId}?include_attributes=true", null), Expect.AnyMember(), Setup: s => s.CreateContactAsync());
        yield return new("PATCH /contacts/{contact_id}",
            s => (HttpMethod.Patch, $"/contacts/{s.ContactId}", new { name = "Renamed", opted_in = false }),
            Expect.Writers(), Mutates: true, Setup: s => s.CreateContactAsync());
        yield return new("POST /contacts/{contact_id}/attributes",
            s => (HttpMethod.Post, $"/contacts/{s.ContactId}/attributes", new { key = "age", value = "25", value_type = "number" }),
            Expect.Writers(), Mutates: true, Setup: s => s.CreateContactAsync());
        yield return new("POST /contacts/{contact_id}/attributes/bulk",
            s => (HttpMethod.Post, $"/contacts/{s.ContactId}/attributes/bulk", new
            {
                attributes = new[]
                {
                    new { key = "age", value = "25", value_type = "number" },
                    new { key = "is_vip", value = "true", value_type = "boolean" },
                },
            }),
            Expect.Writers(), Mutates: true, Setup: s => s.CreateContactAsync());
        yield return new("GET /contacts/{contact_id}/attributes",
            s => (HttpMethod.Get, $"/contacts/{s.ContactId}/attributes", null), Expect.AnyMember(), Setup: s => s.CreateContactAsync());
        yield return new("GET /contacts/{contact_id}/attributes/{key}",
            s => (HttpMethod.Get, $"/contacts/{s.ContactId}/attributes/tier", null), Expect.AnyMember(), Setup: s => s.CreateContactAsync());
        yield return new("DELETE /contacts/{contact_id}/attributes/{key}",
            s => (HttpMethod.Delete, $"/contacts/{s.ContactId}/attributes/tier", null),
            Expect.Writers(HttpStatusCode.NoContent), Mutates: true, Setup: s => s.CreateContactAsync());
        yield return new("GET /contacts/search/by-attribute",
            _ => (HttpMethod.Get, "/contacts/search/by-attribute?key=tier&value=gold", null), Expect.AnyUser());
        yield return new("GET /contacts/search/by-attribute?organization_id",
            s => (HttpMethod.Get, $"/contacts/search/by-attribute?key=tier&value=gold&organization_id={s.OrganizationId}", null), Expect.AnyMember());
        yield return new("GET /contacts/search/by-attribute?bot_id",
            s => (HttpMethod.Get, $"/contacts/search/by-attribute?key=tier&value=gold&bot_id={s.BotId}", null),
            Expect.AnyMember(), Setup: s => s.CreateContactAsync());
    }
}
