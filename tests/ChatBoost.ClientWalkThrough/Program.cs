using System.Globalization;
using System.Text.Json;
using ChatBoost.Client;
using ChatBoost.Client.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;

// The README's walk-through — register, token, bot, flow, nodes, publish, execute, read the execution — through the
// client Kiota generated from the served OpenAPI document, as a dashboard would call the API. Every path id goes
// through the client's typed indexers and every answer through its models, so a contract change that breaks generated
// clients breaks this program. It ends with one line, "walk-through: {json}", that GeneratedClientTests checks
// against the API itself; any refusal or surprise exits non-zero naming the step.
if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: ChatBoost.ClientWalkThrough <base url> <email> <password>");
    return 2;
}

var (baseUrl, email, password) = (args[0], args[1], args[2]);
var token = new StaticAccessToken();
using var http = new HttpClient();
var client = new ChatBoostClient(new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(token), httpClient: http) { BaseUrl = baseUrl });

try
{
    var registered = await client.Auth.Register.PostAsync(new RegisterRequest { Email = email, Password = password, FullName = "Walk Through" });
    Require(registered?.Email == email, "register answers the address");

    var issued = await client.Auth.Token.PostAsync(new TokenRequest { Username = email, Password = password });
    token.Value = issued?.AccessToken ?? throw new InvalidOperationException("token: no access_token");
    var me = await client.Auth.Me.GetAsync();
    Require(me?.Email == email, "me is the registered user");

    var bot = await client.Bots.PostAsync(new CreateBotRequest { Name = "Shop" });
    var botId = bot?.Id ?? throw new InvalidOperationException("bot: no id");
    var flow = await client.Bots.Flows.PostAsync(new CreateFlowRequest { BotId = botId, Name = "Welcome" });
    var flowId = flow?.Id ?? throw new InvalidOperationException("flow: no id");

    // A branch names a node that already exists: the last node first, then the one that leads to it.
    var last = await client.Bots.Nodes.PostAsync(new CreateNodeRequest
    {
        FlowId = flowId,
        Type = CreateNodeRequest_type.Set_attribute,
        Config = Config(("attribute_key", "greeted"), ("attribute_value", "true"), ("value_type", "boolean")),
    });
    var first = await client.Bots.Nodes.PostAsync(new CreateNodeRequest
    {
        FlowId = flowId,
        Type = CreateNodeRequest_type.Set_attribute,
        Config = Config(("attribute_key", "language"), ("attribute_value", "en"), ("next", last?.Id)),
    });
    var firstId = first?.Id ?? throw new InvalidOperationException("node: no id");

    var entry = await client.Bots.Flows[flowId].PutAsync(new UpdateFlowRequest { EntryNodeId = firstId });
    Require(entry?.EntryNodeId == firstId, "the entry node is the first node");
    var validation = await client.Bots.Flows[flowId].Validate.PostAsync();
    Require(validation?.Valid == true, "the draft is valid");
    var published = await client.Bots.Flows[flowId].Publish.PostAsync();
    Require(published?.Version == 1, "publishing makes version 1");
    var version = await client.Bots.Flows[flowId].Versions[1].GetAsync();
    Require(version?.FlowId == flowId, "version 1 reads back");

    var started = await client.Flows.Execute.PostAsync(new ExecuteFlowRequest
    {
        FlowId = flowId,
        BotId = botId,
        ContactPhone = "4915112345678",
        InitialState = new UntypedObject(new Dictionary<string, UntypedNode> { ["language"] = new UntypedString("en") }),
    });
    var executionId = started?.Id ?? throw new InvalidOperationException("execute: no id");
    var execution = await client.Flows.Executions[executionId].GetAsync();
    var logs = await client.Flows.Executions[executionId].Logs.GetAsync(c => c.QueryParameters.Limit = 50);

    var contacts = await client.Flows.Contacts.GetAsync(c => c.QueryParameters.BotId = botId);
    var contactId = contacts?.SingleOrDefault()?.Id ?? throw new InvalidOperationException("contacts: not exactly one");
    var attributes = await client.Contacts[contactId].Attributes.GetAsync() ?? [];

    // An error is a typed problem for the client too.
    var missing = 0;
    try
    {
        await client.Bots[long.MaxValue].GetAsync();
    }
    catch (ProblemDetails problem)
    {
        missing = problem.Status ?? 0;
    }

    Require(missing == 404, "an unknown bot is a 404 problem");

    Console.WriteLine("walk-through: " + JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["bot_id"] = botId,
        ["flow_id"] = flowId,
        ["execution_id"] = executionId,
        ["status"] = execution?.Status,
        ["steps"] = logs?.Items?.Count,
        ["attributes"] = attributes.ToDictionary(a => a.Key ?? "", a => a.Value),
    }));
    return 0;
}
catch (Exception e) when (e is ProblemDetails or HttpValidationProblemDetails or InvalidOperationException)
{
    await Console.Error.WriteLineAsync($"walk-through failed: {e.GetType().Name}: {Describe(e)}");
    return 1;
}

static void Require(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("expected: " + what);
    }
}

static UntypedObject Config(params (string Key, object? Value)[] fields) =>
    new(fields.Where(f => f.Value is not null).ToDictionary(
        f => f.Key,
        f => f.Value switch
        {
            long id => (UntypedNode)new UntypedLong(id),
            _ => new UntypedString(Convert.ToString(f.Value, CultureInfo.InvariantCulture)),
        }));

static string Describe(Exception e) => e switch
{
    HttpValidationProblemDetails v => $"{v.Status} {v.Title} {JsonSerializer.Serialize(v.Errors?.AdditionalData)}",
    ProblemDetails p => $"{p.Status} {p.Title} {p.Detail}",
    _ => e.Message,
};

/// <summary>The access token of POST /auth/token, handed to Kiota's bearer authentication provider.</summary>
internal sealed class StaticAccessToken : IAccessTokenProvider
{
    public string? Value { get; set; }

    public AllowedHostsValidator AllowedHostsValidator { get; } = new();

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Value ?? "");
}
