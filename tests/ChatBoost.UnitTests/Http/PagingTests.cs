using ChatBoost.Api.Http;
using Microsoft.AspNetCore.Http;

namespace ChatBoost.UnitTests.Http;

public class PagingTests
{
    private static (bool Ok, Paging Paging) Parse(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        var ok = Paging.TryParse(context.Request, out var paging, out _);
        return (ok, paging);
    }

    [Fact]
    public void DefaultsApply() => Assert.Equal((true, new Paging(50, 0)), Parse(""));

    [Fact]
    public void ValuesAreRead() => Assert.Equal((true, new Paging(10, 20)), Parse("?limit=10&offset=20"));

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=201")]
    [InlineData("?limit=abc")]
    [InlineData("?offset=-1")]
    [InlineData("?limit=1e3")]
    public void BadValuesAreRefused(string query) => Assert.False(Parse(query).Ok);
}
