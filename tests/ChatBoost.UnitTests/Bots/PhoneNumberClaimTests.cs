using System.Net;
using System.Text;
using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Interfaces;

namespace ChatBoost.UnitTests.Bots;

/// <summary>When a bot's save must prove its phone number, what is refused before Meta is asked, and how Meta's answer reads.</summary>
public class PhoneNumberClaimTests
{
    [Theory]
    [InlineData(null, "111", false, "t", true)]        // a new number
    [InlineData("111", "222", false, "t", true)]       // another number
    [InlineData("111", "222", false, null, true)]      // another number without a token: proved (and refused)
    [InlineData("111", "111", true, "t2", true)]       // a new token for the kept number
    [InlineData("111", "111", false, "t", false)]      // nothing about the claim changed
    [InlineData("111", "111", true, null, false)]      // the token cleared: not a claim
    [InlineData("111", null, false, "t", false)]       // the number released
    [InlineData(null, null, true, "t", false)]         // a token without a number
    public void ProofIsNeededWhenTheNumberOrItsTokenChanges(string? previous, string? number, bool tokenChanged, string? token, bool needed) =>
        Assert.Equal(needed, PhoneNumberClaimRules.NeedsProof(previous, number, tokenChanged, token));

    [Fact]
    public void ThePlatformsNumberAndAMissingTokenAreRefusedBeforeMetaIsAsked()
    {
        Assert.Contains("platform", PhoneNumberClaimRules.RefuseBeforeProbe("555", " 555 ", "token"), StringComparison.Ordinal);
        Assert.Contains("access_token", PhoneNumberClaimRules.RefuseBeforeProbe("556", "555", null), StringComparison.Ordinal);
        Assert.Null(PhoneNumberClaimRules.RefuseBeforeProbe("556", "555", "token"));
        Assert.Null(PhoneNumberClaimRules.RefuseBeforeProbe("556", null, "token"));
    }

    [Theory]
    [InlineData(200, """{"verified_name":"Acme","display_phone_number":"+1 555","id":"123"}""", PhoneNumberProbeOutcome.Reached)]
    [InlineData(200, """{"id":"999"}""", PhoneNumberProbeOutcome.NotReached)]
    [InlineData(400, """{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33}}""", PhoneNumberProbeOutcome.NotReached)]
    [InlineData(401, """{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}""", PhoneNumberProbeOutcome.TokenRejected)]
    [InlineData(400, """{"error":{"code":190,"error_subcode":463}}""", PhoneNumberProbeOutcome.TokenRejected)]
    [InlineData(403, """{"error":{"code":10}}""", PhoneNumberProbeOutcome.NotReached)]
    [InlineData(401, "not json", PhoneNumberProbeOutcome.TokenRejected)]
    public void MetasAnswerIsAVerdict(int status, string body, PhoneNumberProbeOutcome expected) =>
        Assert.Equal(expected, GraphPhoneNumberProbe.Classify((HttpStatusCode)status, Encoding.UTF8.GetBytes(body), "123"));

    [Theory]
    [InlineData(500, """{"error":{"code":1}}""")]
    [InlineData(503, "")]
    [InlineData(400, """{"error":{"code":4}}""")]
    [InlineData(400, """{"error":{"code":80007}}""")]
    [InlineData(200, "<html>")]
    public void ServerFailuresAndRateLimitsAreNoVerdict(int status, string body) =>
        Assert.Null(GraphPhoneNumberProbe.Classify((HttpStatusCode)status, Encoding.UTF8.GetBytes(body), "123"));

    [Fact]
    public async Task TheCheckAsksMetaOnlyWhenNothingElseRefuses_AndRefusesWhatMetaDoesNotConfirm()
    {
        var probe = new ScriptedProbe();
        var check = new PhoneNumberClaimCheck(probe);

        Assert.Equal(CommandStatus.Conflict, (await check.CheckAsync("555", "token", "555", "v22.0"))!.Status);
        Assert.Equal(CommandStatus.Invalid, (await check.CheckAsync("556", null, "555", "v22.0"))!.Status);
        Assert.Empty(probe.Asked);

        probe.Answer = PhoneNumberProbeOutcome.NotReached;
        var refused = await check.CheckAsync("556", "token", "555", "v22.0");
        Assert.Equal(CommandStatus.Invalid, refused!.Status);
        Assert.Contains("subcode 33", refused.Detail, StringComparison.Ordinal);
        probe.Answer = PhoneNumberProbeOutcome.TokenRejected;
        Assert.Contains("190", (await check.CheckAsync("556", "token", null, "v22.0"))!.Detail, StringComparison.Ordinal);
        probe.Answer = PhoneNumberProbeOutcome.Reached;
        Assert.Null(await check.CheckAsync("556", "token", null, "v22.0"));
        Assert.Equal(["556 token v22.0", "556 token v22.0", "556 token v22.0"], probe.Asked);
    }

    private sealed class ScriptedProbe : IPhoneNumberProbe
    {
        public PhoneNumberProbeOutcome Answer { get; set; } = PhoneNumberProbeOutcome.Reached;

        public List<string> Asked { get; } = [];

        public Task<PhoneNumberProbeOutcome> ProbeAsync(string phoneNumberId, string accessToken, string apiVersion, CancellationToken cancellationToken = default)
        {
            Asked.Add($"{phoneNumberId} {accessToken} {apiVersion}");
            return Task.FromResult(Answer);
        }
    }
}
