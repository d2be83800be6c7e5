using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Notifications;
using ChatBoost.Mail;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ChatBoost.GrainTests.Notifications;

/// <summary>A silo of its own whose mail goes to a <see cref="RecordingMailSender"/>, and whose mailer runs only when a test calls it.</summary>
public sealed class NotificationMailFixture : IAsyncLifetime
{
    public NotificationMailFixture() =>
        Cluster = ChatBoostClusterFixture.Separate("chatboost_mail", services =>
        {
            services.AddSingleton<IMailSender>(Mail);
            foreach (var startup in services.Where(d => d.ImplementationType == typeof(NotificationMailStartup)).ToList())
            {
                services.Remove(startup);
            }
        });

    public RecordingMailSender Mail { get; } = new();

    public ChatBoostClusterFixture Cluster { get; }

    public Task InitializeAsync() => Cluster.InitializeAsync();

    public Task DisposeAsync() => Cluster.DisposeAsync();
}

public sealed class NotificationMailTests(NotificationMailFixture mail) : IClassFixture<NotificationMailFixture>, IDisposable
{
    private ChatBoostClusterFixture Fixture => mail.Cluster;

    private IGrainFactory Grains => Fixture.Grains;

    private RecordingMailSender Sender => mail.Mail;

    public void Dispose()
    {
        Fixture.Clock.Reset();
        Sender.RefuseTo = Sender.CrashBeforeSendTo = Sender.CrashAfterSendTo = null;
        Sender.Delay = TimeSpan.Zero;
    }

    private async Task<(long Id, string Email, INotificationInboxGrain Inbox)> UserAsync(string prefix, bool email = true, bool digest = false)
    {
        var result = await Grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
            new RegisterUserCommand($"{prefix}-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
        var user = result.User!;
        var inbox = Grains.GetGrain<INotificationInboxGrain>(user.Id);
        await inbox.SetPreferencesAsync(NotificationPreferences.Defaults with
        {
            Types = NotificationTypes.All.ToDictionary(t => t, _ => new ChannelPreference(true, true, email), StringComparer.Ordinal),
            Digest = digest,
        });
        return (user.Id, user.Email, inbox);
    }

    private static NotificationDraft Mention(string title) =>
        new($"mail-{Guid.NewGuid():N}", NotificationTypes.Mention, "mentioned", title, $"The body of {title}");

    private async Task<long> DeliverAsync(INotificationInboxGrain inbox, string title) => Assert.Single(await inbox.DeliverAsync([Mention(title)])).Id;

    private Task<int> RunAsync(long mailer = 0) => Grains.GetGrain<INotificationMailerGrain>(mailer).RunOnceAsync();

    private async Task<(string State, int Attempts, string? Error, DateTimeOffset DueAt)?> RowAsync(long notificationId)
    {
        await using var connection = await Fixture.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT state, attempts, last_error, due_at FROM notification_mails WHERE notification_id = @id", connection);
        command.Parameters.AddWithValue("id", notificationId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? (reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    [Fact]
    public async Task A_wanted_mail_is_sent_once_with_its_title_body_and_link()
    {
        var user = await UserAsync("once");
        var id = await DeliverAsync(user.Inbox, "Hello mail");

        await RunAsync();
        await RunAsync();
        await Fixture.DeactivateAsync(Grains.GetGrain<INotificationMailerGrain>(0));
        await RunAsync();

        var sent = Assert.Single(Sender.To(user.Email));
        Assert.Equal("ChatBoost: Hello mail", sent.Subject);
        Assert.Contains("The body of Hello mail", sent.Body, StringComparison.Ordinal);
        Assert.Contains("https://chatboost.test/notifications/unread", sent.Body, StringComparison.Ordinal);
        Assert.Equal($"notification-{id}@chatboost", sent.MessageId);
        var row = (await RowAsync(id))!.Value;
        Assert.Equal(("sent", 1), (row.State, row.Attempts));
    }

    [Fact]
    public async Task With_the_email_preference_off_no_row_is_queued_and_nothing_is_sent()
    {
        var user = await UserAsync("off", email: false);
        var id = await DeliverAsync(user.Inbox, "Not mailed");

        await RunAsync();

        Assert.Null(await RowAsync(id));
        Assert.Empty(Sender.To(user.Email));
    }

    [Fact]
    public async Task A_crash_before_the_server_takes_the_mail_loses_nothing_and_it_goes_once_after_the_lease()
    {
        var user = await UserAsync("crash");
        var id = await DeliverAsync(user.Inbox, "Survives a crash");
        Sender.CrashBeforeSendTo = user.Email;

        await Assert.ThrowsAnyAsync<Exception>(() => RunAsync());
        Sender.CrashBeforeSendTo = null;
        var leased = (await RowAsync(id))!.Value;
        Assert.Equal(("pending", 0), (leased.State, leased.Attempts));

        // The dead mailer's lease still runs: nobody takes the row yet.
        await RunAsync();
        Assert.Empty(Sender.To(user.Email));

        Fixture.Clock.Advance(NotificationMailRules.Lease + TimeSpan.FromSeconds(1));
        await RunAsync();
        await RunAsync();

        Assert.Single(Sender.To(user.Email));
        Assert.Equal("sent", (await RowAsync(id))!.Value.State);
    }

    [Fact]
    public async Task A_crash_between_the_send_and_the_mark_sends_again_after_the_lease_with_the_same_message_id()
    {
        var user = await UserAsync("between");
        var id = await DeliverAsync(user.Inbox, "At least once");
        Sender.CrashAfterSendTo = user.Email;

        await Assert.ThrowsAnyAsync<Exception>(() => RunAsync());
        Sender.CrashAfterSendTo = null;
        await RunAsync();
        Assert.Single(Sender.To(user.Email));

        Fixture.Clock.Advance(NotificationMailRules.Lease + TimeSpan.FromSeconds(1));
        await RunAsync();
        await RunAsync();

        var sent = Sender.To(user.Email);
        Assert.Equal(2, sent.Count);
        Assert.Single(sent.Select(s => s.MessageId).Distinct());
        Assert.Equal("sent", (await RowAsync(id))!.Value.State);
    }

    [Fact]
    public async Task Two_mailer_activations_running_at_once_send_every_mail_exactly_once()
    {
        var users = new List<(long Id, string Email, INotificationInboxGrain Inbox)>();
        for (var i = 0; i < 12; i++)
        {
            users.Add(await UserAsync($"pair{i}"));
        }

        var ids = new List<long>();
        foreach (var user in users)
        {
            ids.Add(await DeliverAsync(user.Inbox, "Exactly once"));
        }

        Sender.Delay = TimeSpan.FromMilliseconds(30);
        var runs = await Task.WhenAll(RunAsync(0), RunAsync(1), RunAsync(2));
        await Task.WhenAll(RunAsync(0), RunAsync(1));

        foreach (var user in users)
        {
            Assert.Single(Sender.To(user.Email));
        }

        Assert.True(runs.Sum() >= users.Count);
        foreach (var id in ids)
        {
            Assert.Equal("sent", (await RowAsync(id))!.Value.State);
        }
    }

    [Fact]
    public async Task With_digest_on_a_users_mails_wait_for_the_period_and_go_as_one()
    {
        var user = await UserAsync("digest", digest: true);
        var ids = new List<long>();
        foreach (var title in new[] { "First", "Second", "Third" })
        {
            ids.Add(await DeliverAsync(user.Inbox, title));
        }

        await RunAsync();
        Assert.Empty(Sender.To(user.Email));

        Fixture.Clock.Advance(TimeSpan.FromMinutes(61));
        await RunAsync();
        await RunAsync();

        var digest = Assert.Single(Sender.To(user.Email));
        Assert.Equal("ChatBoost digest: 3 notifications", digest.Subject);
        Assert.True(digest.Body.IndexOf("First", StringComparison.Ordinal) < digest.Body.IndexOf("Second", StringComparison.Ordinal));
        Assert.Contains("The body of Third", digest.Body, StringComparison.Ordinal);
        foreach (var id in ids)
        {
            Assert.Equal("sent", (await RowAsync(id))!.Value.State);
        }
    }

    [Fact]
    public async Task A_refused_mail_is_retried_with_back_off_and_given_up_as_failed_after_the_last_attempt()
    {
        var user = await UserAsync("refused");
        var id = await DeliverAsync(user.Inbox, "Never taken");
        Sender.RefuseTo = user.Email;

        await RunAsync();
        var first = (await RowAsync(id))!.Value;
        Assert.Equal(("pending", 1), (first.State, first.Attempts));
        Assert.InRange(first.DueAt - Fixture.Clock.GetUtcNow(), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31));

        await RunAsync();
        Assert.Equal(1, (await RowAsync(id))!.Value.Attempts);

        var options = new NotificationOptions();
        for (var attempt = 2; attempt <= options.MailMaxAttempts; attempt++)
        {
            Fixture.Clock.Advance(NotificationMailRules.MaxBackOff);
            await RunAsync();
        }

        var last = (await RowAsync(id))!.Value;
        Assert.Equal(("failed", options.MailMaxAttempts), (last.State, last.Attempts));
        Assert.DoesNotContain("The body of", last.Error!, StringComparison.Ordinal);
        Fixture.Clock.Advance(NotificationMailRules.MaxBackOff);
        await RunAsync();
        Assert.Equal(options.MailMaxAttempts, (await RowAsync(id))!.Value.Attempts);
        Assert.Empty(Sender.To(user.Email));
    }

    [Fact]
    public async Task The_take_statement_agrees_with_the_take_rule_over_every_combination_and_leases_what_it_takes()
    {
        // A "now" in the past, so the rows of the other tests (due around the real now) are not due here.
        var now = new DateTimeOffset(2001, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var user = await UserAsync("sql", email: false);
        var cases = (from state in new[] { "pending", "sent", "failed", "skipped" }
                     from due in new[] { -1, 0, 1 }
                     from lease in new int?[] { null, -1, 0, 1 }
                     select (State: state, Due: now.AddSeconds(due), Lease: lease is { } l ? now.AddSeconds(l) : (DateTimeOffset?)null)).ToList();
        var ids = (await user.Inbox.DeliverAsync([.. cases.Select((_, i) => Mention($"case {i}"))])).Select(n => n.Id).Order().ToList();
        Assert.Equal(cases.Count, ids.Count);
        await using (var connection = await Fixture.OpenAsync())
        {
            foreach (var (id, c) in ids.Zip(cases))
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO notification_mails (notification_id, user_id, digest, due_at, state, lease_token, lease_until) VALUES (@id, @user, false, @due, @state, @token, @lease)",
                    connection);
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("user", user.Id);
                insert.Parameters.AddWithValue("due", c.Due);
                insert.Parameters.AddWithValue("state", c.State);
                insert.Parameters.AddWithValue("token", c.Lease is null ? DBNull.Value : (object)Guid.NewGuid());
                insert.Parameters.AddWithValue("lease", c.Lease is { } until ? (object)until : DBNull.Value);
                await insert.ExecuteNonQueryAsync();
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(Fixture.Database.ConnectionString);
        var store = new NotificationMailStore(new Database(dataSource));
        var taken = (await store.TakeAsync(Guid.NewGuid(), now, now + NotificationMailRules.Lease, 1000)).Select(r => r.NotificationId).ToHashSet();

        foreach (var (id, c) in ids.Zip(cases))
        {
            Assert.True(NotificationMailRules.IsTakeable(c.State, c.Due, c.Lease, now) == taken.Contains(id), $"{c}: taken {taken.Contains(id)}");
        }

        Assert.NotEmpty(taken);
        Assert.Empty(await store.TakeAsync(Guid.NewGuid(), now, now + NotificationMailRules.Lease, 1000));
        Assert.Equal(0, await store.MarkSentAsync(Guid.NewGuid(), [.. taken], now));
    }
}
