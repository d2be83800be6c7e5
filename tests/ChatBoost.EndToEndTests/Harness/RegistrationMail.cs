using System.Net;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// The registration mail, read from the API's log (without SMTP, the Test environment logs it like
/// Development does): tests verify their users' addresses with the token it carries, as a user would with
/// the mailed one. Each <see cref="ChatBoostSystem"/> registers its client here so that
/// <see cref="ApiCalls.RegisterAsync"/> can find the log behind an <see cref="HttpClient"/>.
/// </summary>
public static partial class RegistrationMail
{
    private static readonly ConditionalWeakTable<HttpClient, ChatBoostSystem> Systems = new();

    public static void Register(HttpClient http, ChatBoostSystem system) => Systems.AddOrUpdate(http, system);

    public static ChatBoostSystem? SystemOf(HttpClient http) => Systems.TryGetValue(http, out var system) ? system : null;

    /// <summary>How many registration mails for this address the API has logged so far.</summary>
    public static int Count(ChatBoostSystem system, string email) => Mails(system, email).Count;

    /// <summary>
    /// Waits for the registration mail for <paramref name="email"/> after the first <paramref name="seen"/>,
    /// then uses its token (none when the address was already verified).
    /// </summary>
    public static async Task VerifyFromLogAsync(ChatBoostSystem system, string email, int seen)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var mails = Mails(system, email);
            if (mails.Count > seen)
            {
                if (mails[seen] is { Length: > 0 } token)
                {
                    var (status, body, _) = await system.Http.PostJsonAsync("/auth/verify-email", new { token });
                    Assert.True(status == HttpStatusCode.OK, $"verify {email}: {status} {body?.ToJsonString()}");
                }

                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"No registration mail for {email} in the API log.");
    }

    /// <summary>
    /// The tokens of the logged registration mails for this address, in order ("" for "already verified"). A JSON log line
    /// (<c>LOG_FORMAT=json</c>) writes the body's quotes as <c>\u0022</c>.
    /// </summary>
    public static List<string> Mails(ChatBoostSystem system, string email) =>
        [.. MailLine().Matches(system.Api.Output)
            .Where(m => m.Groups["email"].Value == email)
            .Select(m => m.Groups["token"].Success ? m.Groups["token"].Value : "")];

    [GeneratedRegex(@"registration mail for (?<email>\S+?)(?::| \((?:[^)]*)\):) (?:you already have an account, and its address is verified|verify the address with POST \S+ and the body \{(?:""|\\u0022)token(?:""|\\u0022): (?:""|\\u0022)(?<token>[A-Za-z0-9_-]{43})(?:""|\\u0022)\})")]
    private static partial Regex MailLine();
}
