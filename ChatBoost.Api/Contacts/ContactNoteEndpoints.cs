using ChatBoost.Api.Auth;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Notifications;
using Microsoft.AspNetCore.Mvc;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Contacts;

/// <summary>
/// <c>POST /contacts/{contact_id}/notes</c> (contacts.write): a team member's note on a contact. Each <c>@email</c> in it
/// that names a fellow member of the contact's organization who may read contacts sends that member a mention; anyone
/// else named gets nothing, and the answer lists only the members reached.
/// </summary>
public static class ContactNoteEndpoints
{
    public static void MapContactNoteEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/contacts/{contact_id:long}/notes", async (
                [FromRoute(Name = "contact_id")] long contactId, Body<ContactNoteRequest> body, HttpContext http, IClusterClient cluster) =>
            {
                var contact = ContactAccess.Contact(http);
                var note = await cluster.GetGrain<INotificationAnnouncementGrain>(0).AddContactNoteAsync(
                    new ContactNoteCommand(contactId, contact.BotId, contact.OrganizationId, CurrentUser.Get(http).Id, body.Value.Text!.Trim()));
                return TypedResults.Created($"/contacts/{contactId}/notes/{note.Id}", ContactNoteResponse.From(note));
            })
            .RequireOrganizationPermission(ContactsWrite, ContactAccess.OfRouteContact)
            .WithTags(ContactEndpoints.Tag)
            .WithName("Contacts_AddNote")
            .WithSummary("Add a note to a contact; @email mentions notify fellow members")
            .WithDescription("Body: {\"text\": \"…\"} (1 to 4000 characters). mentioned_user_ids: the fellow members the mentions reached.")
            .Produces<ContactNoteResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}

public sealed class ContactNoteRequest : IRequestBody
{
    public string? Text { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("text", Text))
        {
            errors.MaxLength("text", Text, 4000);
        }
    }
}

public sealed record ContactNoteResponse(long Id, long ContactId, long AuthorUserId, string Text, IReadOnlyList<long> MentionedUserIds, DateTimeOffset CreatedAt)
{
    public static ContactNoteResponse From(ContactNote n) => new(n.Id, n.ContactId, n.AuthorUserId, n.Text, n.MentionedUserIds, n.CreatedAt);
}
