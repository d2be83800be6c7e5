using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>One <c>notification_mails</c> row (migration 0230) and when its notification was created.</summary>
public sealed record MailRow(string State, bool Digest, DateTimeOffset DueAt, int Attempts, string? LastError, DateTimeOffset NotificationCreatedAt);

/// <summary>
/// The notification system whose silos mail notifications to an in-process <see cref="SmtpSink"/> (plain SMTP on loopback,
/// <c>SMTP_SECURITY=none</c>). Only the silos get the <c>SMTP_*</c> settings: notification e-mail is theirs, and the API
/// keeps logging its registration and invitation mail, which the harness reads to verify users and join them to teams.
/// The mailer polls every second; the digest period is the longest allowed (a week), so a digest row's due time is
/// never reached during a test by accident; attempts are capped at 3.
/// </summary>
public class NotificationMailFixture : NotificationSystemFixture
{
    public const string From = "notifications@chatboost.e2e.test";
    public const string PublicBaseUrl = "https://chatboost.e2e.test";
    public const int DigestMinutes = 10_080;

    /// <summary>How long a test waits for a mail: far beyond the one-second poll, bounded.</summary>
    public static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(45);

    private SmtpSink? _sink;

    public SmtpSink Sink => _sink ?? throw new InvalidOperationException("Not started.");

    protected override IReadOnlyDictionary<string, string?> SiloEnvironment => new Dictionary<string, string?>(Sink.Environment(From))
    {
        ["PUBLIC_BASE_URL"] = PublicBaseUrl,
        ["NOTIFICATION_MAIL_POLL_SECONDS"] = "1",
        ["NOTIFICATION_DIGEST_MINUTES"] = DigestMinutes.ToString(CultureInfo.InvariantCulture),
        ["NOTIFICATION_MAIL_MAX_ATTEMPTS"] = "3",
    };

    public override async Task InitializeAsync()
    {
        _sink = await StartSinkAsync();
        await base.InitializeAsync();
    }

    /// <summary>The SMTP server the silos mail to: a plain one here (see <see cref="NotificationStartTlsMailFixture"/>).</summary>
    protected virtual Task<SmtpSink> StartSinkAsync() => SmtpSink.StartAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_sink is not null)
        {
            await _sink.DisposeAsync();
        }
    }

    /// <summary><c>PUT /notifications/preferences</c> with the e-mail channel on for <paramref name="type"/>; the saved preferences.</summary>
    public async Task<JsonNode> EmailOnAsync(string token, string type, bool digest = false)
    {
        var (status, body, _) = await System.Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences",
            new { types = new Dictionary<string, object> { [type] = new { email = true } }, digest }, token));
        Assert.True(status == HttpStatusCode.OK, $"PUT /notifications/preferences: {status} {body?.ToJsonString()}");
        Assert.True(body!["types"]![type]!["email"]!.GetValue<bool>());
        Assert.Equal(digest, body["digest"]!.GetValue<bool>());
        return body;
    }

    /// <summary>The outbox row of a notification, or null when none was queued.</summary>
    public async Task<MailRow?> MailRowAsync(long notificationId)
    {
        await using var db = await System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT m.state, m.digest, m.due_at, m.attempts, m.last_error, n.created_at
            FROM notification_mails m JOIN notifications n ON n.id = m.notification_id
            WHERE m.notification_id = @id
            """,
            db);
        query.Parameters.AddWithValue("id", notificationId);
        await using var reader = await query.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return new MailRow(
            reader.GetString(0), reader.GetBoolean(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5));
    }

    /// <summary>The database's clock (the mailer compares due times with the silo's clock, on this machine too).</summary>
    public async Task<DateTimeOffset> DatabaseNowAsync()
    {
        await using var db = await System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT now()", db);
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    /// <summary>
    /// Fails when the mail (headers or body) carries a secret: one of <paramref name="tokens"/> (bearer tokens of the users
    /// involved), the users' password, the signing key, the WhatsApp app secret or the bot's access token.
    /// </summary>
    public static void AssertNoSecret(ReceivedMail mail, params string[] tokens)
    {
        // The raw message and the decoded body: a transfer encoding could wrap a secret across lines of the raw text.
        var text = $"{mail.Raw}\n{mail.Message.Subject}\n{mail.Text}";
        string[] secrets = [.. tokens, ApiCalls.DefaultPassword, ChatBoostSystem.SecretKey, AppSecret, BotAccessToken];
        foreach (var secret in secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the mail to {string.Join(',', mail.Recipients)} carries a secret:\n{mail.Raw}");
        }
    }
}
