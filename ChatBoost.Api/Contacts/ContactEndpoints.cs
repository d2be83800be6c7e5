using ChatBoost.Api.Bots;
using ChatBoost.Api.Flows;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Contacts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Contacts;

/// <summary>
/// Contacts (<c>POST|GET /flows/contacts/</c>, the seed's Flow Engine module) and their typed attributes
/// (<c>/contacts/...</c>, the seed's Contact Attributes module): contacts.read / contacts.write in the organization that
/// owns the contact's bot. Writes go to the contact's grain; lists and searches read the contact query tables.
/// </summary>
public static class ContactEndpoints
{
    public const string Tag = "Contact Attributes";

    private const string AttributeRules =
        "An attribute is {key, value, value_type}: key 1 to 64 letters, digits, '_', '.' or '-'; value_type string (default), " +
        "number, boolean or json; value the value as text (\"25\", \"true\", \"{\\\"theme\\\": \\\"dark\\\"}\") or as a JSON " +
        "number, boolean, object or array, at most 4096 characters. A value that does not convert to its type is a 422 naming " +
        "the field. Responses show value (canonical text) and typed_value (the value as JSON of its type).";

    private const string ListDescription =
        "Paged with limit (1–200, default 50) and offset, newest first; the total is in the X-Total-Count header. Without " +
        "filters the list spans every organization the caller belongs to; organization_id narrows it to one, bot_id to one " +
        "bot (404 when the bot is not visible to the caller).";

    public static void MapContactEndpoints(this IEndpointRouteBuilder app)
    {
        MapFlowContacts(app.MapGroup("/flows/contacts").WithModuleTag(ExecutionEndpoints.Tag, ExecutionEndpoints.TagDescription));
        MapAttributes(app.MapGroup("/contacts").WithModuleTag(Tag, "A contact's profile and typed attributes (string, number, boolean, json), and the search by attribute."));
    }

    private static void MapFlowContacts(RouteGroupBuilder contacts)
    {
        contacts.MapPost("/", async (Body<CreateContactRequest> body, HttpContext http, IClusterClient cluster, IConfiguration configuration) =>
                await ContactCap.RefusalAsync(cluster, configuration, OrganizationAccess.Get(http).OrganizationId, body.Value.BotId!.Value) is { } capped
                    ? capped
                    : (await cluster.GetGrain<IContactGrain>(body.Value.BotId!.Value, body.Value.PhoneDigits(), null)
                        .CreateAsync(body.Value.ToCommand(OrganizationAccess.Get(http).OrganizationId)))
                        .WithListAttributeField()
                        .ToHttp(c => TypedResults.Created($"/contacts/{c.Id}", ContactResponse.From(c, withAttributes: true))))
            .RequireOrganizationPermissionFromBody<CreateContactRequest>(ContactsWrite, (http, b) => BotAccess.OfBot(http, b.BotId))
            .WithName("Contacts_Create")
            .WithSummary("Create a contact")
            .WithDescription(
                "A contact of bot_id with phone (5 to 20 digits, optional leading +), an optional name (at most 256 characters), " +
                "opted_in (default true) and up to 100 first attributes, stored all or nothing. 409 when the bot already has a " +
                "contact with this phone. " + AttributeRules)
            .Produces<ContactResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status409Conflict);

        contacts.MapGet("/", async (HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var scope = await ContactAccess.ScopeAsync(http, ContactsRead);
                var page = await cluster.GetGrain<IContactQueryGrain>(0).ListAsync(scope.OrganizationIds, scope.BotId, paging.Limit, paging.Offset);
                ContactAccess.SetTotal(http, page.Total);
                return TypedResults.Ok(page.Items.Select(c => ContactResponse.From(c)).ToArray());
            })
            .RequireScopedPermission(ContactsRead)
            .WithName("Contacts_List")
            .WithPaging()
            .WithSummary("List contacts")
            .WithDescription(ListDescription + " Attributes are not included (GET /contacts/{contact_id}).")
            .Produces<ContactResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static void MapAttributes(RouteGroupBuilder contacts)
    {
        contacts.MapGet("/search/by-attribute", async (HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var scope = await ContactAccess.ScopeAsync(http, ContactsRead);
                var page = await cluster.GetGrain<IContactQueryGrain>(0).SearchByAttributeAsync(
                    scope.OrganizationIds, scope.BotId, http.Request.Query["key"].ToString(), http.Request.Query["value"].ToString(), paging.Limit, paging.Offset);
                ContactAccess.SetTotal(http, page.Total);
                return TypedResults.Ok(page.Items.Select(c => ContactResponse.From(c)).ToArray());
            })
            .ValidateFirst(ValidateSearch)
            .RequireScopedPermission(ContactsRead)
            .WithName("Contacts_SearchByAttribute")
            .WithPaging()
            .WithQueryParameter("key", JsonSchemaType.String, "The attribute key.", required: true)
            .WithQueryParameter("value", JsonSchemaType.String, "The value to compare with, by the attribute's type.", required: true)
            .WithSummary("Search contacts by attribute")
            .WithDescription(
                "Contacts whose attribute key equals value, compared by the attribute's own type: a number attribute matches a " +
                "value that parses to the same number (\"25\" matches 25.0), a boolean one true/false in any case, a json one the " +
                "same JSON (key order ignored), a string one the exact text. key and value are required. " + ListDescription)
            .Produces<ContactResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        var contact = contacts.MapGroup("/{contact_id:long}");
        contact.MapGet("", async ([FromRoute(Name = "contact_id")] long contactId, HttpContext http, IClusterClient cluster) =>
            {
                var raw = http.Request.Query["include_attributes"].ToString();
                bool include;
                if (raw.Length == 0)
                {
                    include = true;
                }
                else if (!bool.TryParse(raw, out include))
                {
                    return Problems.Validation("include_attributes", "Must be true or false.");
                }

                return await ContactAccess.ContactGrain(http, cluster).GetAsync(include) is { } c
                    ? TypedResults.Ok(ContactResponse.From(c, withAttributes: include))
                    : BotEndpoints.NotFound("Contact not found.");
            })
            .RequireOrganizationPermission(ContactsRead, ContactAccess.OfRouteContact)
            .WithName("Contacts_Get")
            .WithQueryParameter("include_attributes", JsonSchemaType.Boolean, "false leaves the attributes out (default true).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Get a contact with its attributes")
            .WithDescription("include_attributes (default true): false leaves the attributes field out.")
            .Produces<ContactResponse>();

        contact.MapPatch("", async ([FromRoute(Name = "contact_id")] long contactId, Body<UpdateContactRequest> body, HttpContext http, IClusterClient cluster) =>
                (await ContactAccess.ContactGrain(http, cluster).UpdateAsync(body.Value.ToCommand()))
                    .ToHttp(c => TypedResults.Ok(ContactResponse.From(c))))
            .RequireOrganizationPermission(ContactsWrite, ContactAccess.OfRouteContact)
            .WithName("Contacts_Update")
            .WithSummary("Change a contact's name or opt-in")
            .WithDescription("Send at least one of name (at most 256 characters) and opted_in.")
            .Produces<ContactResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        contact.MapPost("/attributes", async ([FromRoute(Name = "contact_id")] long contactId, Body<SetAttributeRequest> body, HttpContext http, IClusterClient cluster) =>
                (await ContactAccess.ContactGrain(http, cluster).SetAttributesAsync([body.Value.ToCommand()]))
                    .WithSingleAttributeField()
                    .ToHttp(list => (list.FirstOrDefault(a => string.Equals(a.Key, body.Value.Key, StringComparison.Ordinal)) ?? list.FirstOrDefault()) is { } a
                        ? TypedResults.Ok(ContactAttributeResponse.From(a))
                        : BotEndpoints.NotFound("Attribute not found.")))
            .RequireOrganizationPermission(ContactsWrite, ContactAccess.OfRouteContact)
            .WithName("Contacts_SetAttribute")
            .WithSummary("Set one contact attribute (create or replace)")
            .WithDescription(AttributeRules)
            .Produces<ContactAttributeResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        contact.MapPost("/attributes/bulk", async ([FromRoute(Name = "contact_id")] long contactId, Body<BulkSetAttributesRequest> body, HttpContext http, IClusterClient cluster) =>
                (await ContactAccess.ContactGrain(http, cluster).SetAttributesAsync(body.Value.ToCommands()))
                    .WithListAttributeField()
                    .ToHttp(list => TypedResults.Ok(ContactAttributeResponse.From(list))))
            .RequireOrganizationPermission(ContactsWrite, ContactAccess.OfRouteContact)
            .WithName("Contacts_SetAttributes")
            .WithSummary("Set several contact attributes at once, all or nothing")
            .WithDescription(
                "Body {attributes: [...]}: 1 to 100 attributes with distinct keys. Every value must convert to its type, or none " +
                "is stored (422 naming attributes[i].value). Answers the attributes written, as an array. " + AttributeRules)
            .Produces<ContactAttributeResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        contact.MapGet("/attributes", async ([FromRoute(Name = "contact_id")] long contactId, HttpContext http, IClusterClient cluster) =>
                await ContactAccess.ContactGrain(http, cluster).GetAttributesAsync() is { } list
                    ? TypedResults.Ok(ContactAttributeResponse.From(list))
                    : BotEndpoints.NotFound("Contact not found."))
            .RequireOrganizationPermission(ContactsRead, ContactAccess.OfRouteContact)
            .WithName("Contacts_ListAttributes")
            .WithSummary("Get all of a contact's attributes")
            .Produces<ContactAttributeResponse[]>();

        contact.MapGet("/attributes/{key}", async ([FromRoute(Name = "contact_id")] long contactId, string key, HttpContext http, IClusterClient cluster) =>
                await ContactAccess.ContactGrain(http, cluster).GetAttributesAsync() is { } list
                && list.FirstOrDefault(a => string.Equals(a.Key, key, StringComparison.Ordinal)) is { } attribute
                    ? TypedResults.Ok(ContactAttributeResponse.From(attribute))
                    : BotEndpoints.NotFound("Attribute not found."))
            .ValidateFirst(ValidateRouteKey)
            .RequireOrganizationPermission(ContactsRead, ContactAccess.OfRouteContact)
            .WithName("Contacts_GetAttribute")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Get one contact attribute")
            .WithDescription("404 when the contact has no attribute with this key.")
            .Produces<ContactAttributeResponse>();

        contact.MapDelete("/attributes/{key}", async ([FromRoute(Name = "contact_id")] long contactId, string key, HttpContext http, IClusterClient cluster) =>
                (await ContactAccess.ContactGrain(http, cluster).DeleteAttributeAsync(key)).ToHttp(_ => TypedResults.NoContent()))
            .ValidateFirst(ValidateRouteKey)
            .RequireOrganizationPermission(ContactsWrite, ContactAccess.OfRouteContact)
            .WithName("Contacts_DeleteAttribute")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Delete a contact attribute")
            .WithDescription("204; 404 when the contact has no attribute with this key.");
    }

    /// <summary>Runs before the permission check (a filter), so it reads the route value itself.</summary>
    private static void ValidateRouteKey(HttpContext http, ValidationErrors errors)
    {
        if (!ContactValidation.IsKey(http.Request.RouteValues["key"] as string ?? ""))
        {
            errors.Add("key", $"Must be 1 to {ContactValidation.MaxKeyLength} letters, digits, '_', '.' or '-'.");
        }
    }

    private static void ValidateSearch(HttpContext http, ValidationErrors errors)
    {
        var key = http.Request.Query["key"].ToString();
        var value = http.Request.Query["value"].ToString();
        if (key.Length == 0)
        {
            errors.Add("key", "The query parameter key is required.");
        }
        else if (!ContactValidation.IsKey(key))
        {
            errors.Add("key", $"Must be 1 to {ContactValidation.MaxKeyLength} letters, digits, '_', '.' or '-'.");
        }

        if (value.Length == 0)
        {
            errors.Add("value", "The query parameter value is required.");
        }
        else if (value.Length > ContactValidation.MaxValueLength)
        {
            errors.Add("value", $"Must be at most {ContactValidation.MaxValueLength} characters.");
        }
        else
        {
            ContactValidation.Storable("value", value, errors, mayBeJson: true);
        }
    }

    /// <summary>
    /// In a body with an <c>attributes</c> list every attribute field is named by its index: a problem the grain names by
    /// the bare field (as it does for a write of one attribute) is the first attribute's.
    /// </summary>
    private static CommandResult<T> WithListAttributeField<T>(this CommandResult<T> result) =>
        result.Field is "key" or "value" or "value_type" ? result with { Field = "attributes[0]." + result.Field } : result;

    /// <summary>The single-attribute endpoint's body has no list: a problem named <c>attributes[0].value</c> is <c>value</c>.</summary>
    private static CommandResult<T> WithSingleAttributeField<T>(this CommandResult<T> result)
    {
        const string prefix = "attributes[0].";
        return result.Field is { } field && field.StartsWith(prefix, StringComparison.Ordinal) ? result with { Field = field[prefix.Length..] } : result;
    }
}
