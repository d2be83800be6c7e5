using ChatBoost.Api.Bots;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Triggers;
using Microsoft.AspNetCore.Mvc;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Triggers;

/// <summary>
/// A bot's opt-out / opt-in keywords (precedence step 1 for inbound messages): <c>GET|PUT /triggers/bot/{bot_id}/opt-keywords</c>,
/// triggers.read / triggers.write in the bot's organization. Stored and applied by the bot's trigger set grain.
/// </summary>
public static class OptKeywordEndpoints
{
    public static void MapOptKeywordEndpoints(this RouteGroupBuilder triggers)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        triggers.MapGet("/bot/{bot_id:long}/opt-keywords", async ([FromRoute(Name = "bot_id")] long botId, IClusterClient cluster) =>
                TypedResults.Ok(OptKeywordsResponse.From(await cluster.GetGrain<ITriggerSetGrain>(botId).GetOptKeywordsAsync())))
            .RequireOrganizationPermission(TriggersRead, BotAccess.OfRouteBot)
            .WithName("Triggers_GetOptKeywords")
            .WithSummary("A bot's opt-out and opt-in keywords")
            .WithDescription(
                "A message that is exactly one of them (after NFKC normalisation and trimming, any case) opts the contact out or in " +
                "before anything else sees it. Defaults: STOP, UNSUBSCRIBE, END, QUIT, CANCEL, OPTOUT / START, UNSTOP.")
            .Produces<OptKeywordsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        triggers.MapPut("/bot/{bot_id:long}/opt-keywords",
                async ([FromRoute(Name = "bot_id")] long botId, Body<SetOptKeywordsRequest> body, HttpContext http, IClusterClient cluster) =>
                    (await cluster.GetGrain<ITriggerSetGrain>(botId).SetOptKeywordsAsync(
                        OrganizationAccess.Get(http).OrganizationId, Strings(body.Value.OptOutKeywords), Strings(body.Value.OptInKeywords)))
                        .ToHttp(v => TypedResults.Ok(OptKeywordsResponse.From(v))))
            .RequireOrganizationPermission(TriggersWrite, BotAccess.OfRouteBot)
            .WithName("Triggers_SetOptKeywords")
            .WithSummary("Set a bot's opt-out and opt-in keywords")
            .WithDescription(
                "Replaces both lists; an absent or null list is the default one. opt_out_keywords: 1–50 keywords (a contact can always " +
                "stop); opt_in_keywords: 0–50; each at most 50 characters, no repeats, no word in both lists (422 names the entry). " +
                "Live for the bot's next inbound message.")
            .Produces<OptKeywordsResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IReadOnlyList<string>? Strings(IReadOnlyList<string?>? keywords) => keywords?.Select(k => k ?? "").ToArray();
}

/// <summary><c>PUT /triggers/bot/{bot_id}/opt-keywords</c>: <c>{"opt_out_keywords": [...], "opt_in_keywords": [...]}</c>.</summary>
public sealed class SetOptKeywordsRequest : IRequestBody
{
    public IReadOnlyList<string?>? OptOutKeywords { get; init; }

    public IReadOnlyList<string?>? OptInKeywords { get; init; }

    public void Validate(ValidationErrors errors)
    {
        // The lists' rules are the grain's (OptKeywordRules): one place, 422 naming the entry.
    }
}

/// <summary>A bot's opt keywords as applied (normalised); <c>*_is_default</c> when the bot has not set that list.</summary>
public sealed record OptKeywordsResponse(
    long BotId, IReadOnlyList<string> OptOutKeywords, IReadOnlyList<string> OptInKeywords, bool OptOutIsDefault, bool OptInIsDefault)
{
    public static OptKeywordsResponse From(OptKeywordsView v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.BotId, v.OptOut, v.OptIn, v.OptOutIsDefault, v.OptInIsDefault);
    }
}
