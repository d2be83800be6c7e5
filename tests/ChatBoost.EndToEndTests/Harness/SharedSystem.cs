namespace ChatBoost.EndToEndTests.Harness;

/// <summary>One running system shared by the tests of the "system" collection (they run one after another).</summary>
public sealed class SharedSystemFixture : IAsyncLifetime
{
    /// <summary>Platform administrator configured through ADMIN_EMAILS.</summary>
    public const string AdminEmail = "platform-admin@e2e.test";

    /// <summary>Also in ADMIN_EMAILS; tests register it without verifying it (an unverified address is no administrator).</summary>
    public const string UnverifiedAdminEmail = "platform-admin-unverified@e2e.test";

    private ChatBoostSystem? _system;

    public ChatBoostSystem System => _system ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() =>
        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?> { ["ADMIN_EMAILS"] = AdminEmail + "," + UnverifiedAdminEmail });

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SharedSystemFixture>
{
    public const string Name = "system";
}
