using ChatBoost.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace ChatBoost.UnitTests.Http;

public class MalformedRouteIdsTests
{
    private static readonly MalformedRouteIds Table = new([
        Route("GET", "/bots/{bot_id:long}"),
        Route("PUT", "/bots/{bot_id:long}"),
        Route("GET", "/bots/flows/{flow_id:long}/versions/{version:int}"),
        Route("GET", "/flows/executions/contact/{phone}"),
        Route("DELETE", "/contacts/{contact_id:long}/attributes/{key}"),
        Route("POST", "/team/invitations/{token}/accept"),
    ]);

    [Theory]
    [InlineData("GET", "/bots/abc", "bot_id")]
    [InlineData("PUT", "/bots/1.5", "bot_id")]
    [InlineData("GET", "/bots/99999999999999999999", "bot_id")]
    [InlineData("GET", "/bots/flows/x/versions/1", "flow_id")]
    [InlineData("GET", "/bots/flows/7/versions/latest", "version")]
    [InlineData("DELETE", "/contacts/me/attributes/age", "contact_id")]
    public void AMalformedIdInAPathOfAMappedRouteIsNamed(string method, string path, string parameter) =>
        Assert.Equal([parameter], Table.Find(method, path));

    [Fact]
    public void EveryMalformedIdOfTheRouteIsNamed() =>
        Assert.Equal(["flow_id", "version"], Table.Find("GET", "/bots/flows/x/versions/y"));

    [Theory]
    [InlineData("GET", "/bots/12")] // well-formed: the route itself matches and answers
    [InlineData("GET", "/bots/0")]
    [InlineData("GET", "/bots/-3")]
    [InlineData("DELETE", "/bots/abc")] // no route of this method has that shape: routing's own answer stands
    [InlineData("GET", "/bots/abc/extra")] // not the route's shape
    [InlineData("GET", "/flows/executions/contact/abc")] // a string parameter is not an id
    [InlineData("POST", "/team/invitations/abc/accept")]
    public void OtherPathsAreNotAboutAMalformedId(string method, string path) =>
        Assert.Empty(Table.Find(method, path));

    private static RouteEndpoint Route(string method, string pattern) =>
        new(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), 0, new EndpointMetadataCollection(new HttpMethodMetadata([method])), pattern);
}
