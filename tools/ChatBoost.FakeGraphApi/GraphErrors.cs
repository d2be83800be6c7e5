using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ChatBoost.FakeGraphApi;

/// <summary>A Graph API error as Meta returns it, with the HTTP status Meta's error-code table gives.</summary>
public sealed record GraphFailure(int HttpStatus, int Code, string Details, string? Title = null)
{
    public const int InvalidParameter = 100;
    public const int RequiredParameterMissing = 131008;
    public const int ParameterValueNotValid = 131009;
    public const int ReEngagement = 131047;
    public const int Throughput = 130429;
    public const int AccessToken = 190;

    public static GraphFailure Invalid(string details) => new(400, InvalidParameter, details);

    public static GraphFailure Missing(string details) => new(400, RequiredParameterMissing, details);

    public static GraphFailure NotValid(string details) => new(400, ParameterValueNotValid, details);

    /// <summary>
    /// <c>{"error":{"message":"(#code) title","type":"OAuthException","code",["error_subcode"],"error_data":{"messaging_product","details"},"fbtrace_id"}}</c>.
    /// Token errors carry a plain message and no <c>error_data</c>, as Graph API auth errors do.
    /// </summary>
    public JsonObject ToJson()
    {
        var title = Title ?? KnownTitle(Code);
        var error = new JsonObject
        {
            ["message"] = Code == AccessToken ? $"Error validating access token: {Details}" : $"(#{Code}) {title}",
            ["type"] = "OAuthException",
            ["code"] = Code,
        };
        if (Code == AccessToken)
        {
            error["error_subcode"] = 463;
        }
        else
        {
            error["error_data"] = new JsonObject { ["messaging_product"] = "whatsapp", ["details"] = Details };
        }

        error["fbtrace_id"] = "A" + Convert.ToHexString(RandomNumberGenerator.GetBytes(10));
        return new JsonObject { ["error"] = error };
    }

    /// <summary>
    /// Meta's answer to a GET of an object that does not exist or that the token may not see (HTTP 400, code 100,
    /// subcode 33, type GraphMethodException): the same whichever it is, so Graph does not reveal other businesses' ids.
    /// </summary>
    public static JsonObject UnsupportedGet(string id) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = $"Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
            ["type"] = "GraphMethodException",
            ["code"] = InvalidParameter,
            ["error_subcode"] = 33,
            ["fbtrace_id"] = "A" + Convert.ToHexString(RandomNumberGenerator.GetBytes(10)),
        },
    };

    public static string KnownTitle(int code) => code switch
    {
        InvalidParameter => "Invalid parameter",
        RequiredParameterMissing => "Required parameter is missing",
        ParameterValueNotValid => "Parameter value is not valid",
        ReEngagement => "Re-engagement message",
        Throughput => "Rate limit hit",
        131056 => "(Business Account, Consumer Account) pair rate limit hit",
        131026 => "Message undeliverable",
        131048 => "Spam rate limit hit",
        131049 => "This message was not delivered to maintain healthy ecosystem engagement.",
        131000 => "Something went wrong",
        131057 => "Account in maintenance mode",
        131051 => "Unsupported message type",
        368 => "Temporarily blocked for policies violations",
        80007 => "Rate limit issues",
        4 => "Application request limit reached",
        AccessToken => "Access token has expired",
        _ => "Error",
    };

    /// <summary>The HTTP status Meta's error-code table lists, for an injected failure that names only a code.</summary>
    public static int DefaultHttpStatus(int code) => code switch
    {
        AccessToken or 0 => 401,
        368 or 131031 or 10 or (>= 200 and <= 299) => 403,
        131000 or 131057 => 500,
        131016 or 2 => 503,
        _ => 400,
    };
}
