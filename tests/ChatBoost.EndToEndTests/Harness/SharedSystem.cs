using Microsoft.AspNetCore.Builder;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// One running system shared by the tests of one collection, "system" or "system-2" (they run one after another). Its Graph API is
/// an in-process fake on which every token reaches every unregistered phone number, so a bot saved with a number and
/// an access token passes the ownership check (the checks' refusals are shown by the webhook tests' own system).
/// </summary>
public sealed class SharedSystemFixture : IAsyncLifetime
{
    /// <summary>Platform administrator configured through ADMIN_EMAILS.</summary>
    public const string AdminEmail = "platform-admin@e2e.test";

    /// <summary>Also in ADMIN_EMAILS; tests register it without verifying it (an unverified address is no administrator).</summary>
    public const string UnverifiedAdminEmail = "platform-admin-unverified@e2e.test";

    private ChatBoostSystem? _system;
    private WebApplication? _fake;

    public ChatBoostSystem System => _system ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _fake = await InProcessFakeGraph.StartAsync();
        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
        {
            ["ADMIN_EMAILS"] = AdminEmail + "," + UnverifiedAdminEmail,
            ["WHATSAPP_API_BASE_URL"] = _fake.Urls.First(),
        });
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }

        if (_fake is not null)
        {
            await _fake.StopAsync();
            await _fake.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
[ExpectedDuration(200)]
public sealed class SystemCollection : ICollectionFixture<SharedSystemFixture>
{
    public const string Name = "system";
}

/// <summary>
/// A second shared system of its own (xunit gives each collection its own fixture), so the longest classes of the
/// first — the authorization matrix and its neighbours — run beside it instead of after it.
/// </summary>
[CollectionDefinition(Name)]
[ExpectedDuration(115)]
public sealed class SecondSystemCollection : ICollectionFixture<SharedSystemFixture>
{
    public const string Name = "system-2";
}
