using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Organizations;
using Npgsql;

namespace ChatBoost.GrainTests.Bots;

[Collection(ChatBoostClusterCollection.Name)]
public class BotBuilderGrainTests(ChatBoostClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private async Task<(long OrgId, long UserId)> OrganizationAsync()
    {
        var registered = await Grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
            new RegisterUserCommand($"bots-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
        var created = await Grains.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(registered.User!.Id, "Bots Org", null);
        Assert.True(created.IsOk);
        return (created.Value!.Id, registered.User.Id);
    }

    private static CreateBotCommand Bot(long orgId, long userId, string? phone = null, string? token = null) =>
        new(userId, orgId, "Bot", null, true, phone, null, (token ?? (phone is null ? null : "grain-test-token")) is { } t ? new SecretChange(t) : null, null, null);

    private static string NewPhone() => "9" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string?> StoredDefinitionAsync(long flowId, int version)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT definition::text FROM flow_versions WHERE flow_id = @f AND version = @v", connection);
        command.Parameters.AddWithValue("f", flowId);
        command.Parameters.AddWithValue("v", version);
        return (string?)await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task EditingTheDraftAfterPublishLeavesVersionOneUnchanged()
    {
        var (orgId, userId) = await OrganizationAsync();
        var bot = await Grains.GetGrain<IBotRegistryGrain>(0).CreateAsync(Bot(orgId, userId));
        var created = await Grains.GetGrain<IBotGrain>(bot.Value!.Id).CreateFlowAsync(new CreateFlowCommand(userId, "Immutable", null));
        var flow = Grains.GetGrain<IFlowGrain>(created.Value!.Id);
        var node = await flow.AddNodeAsync(userId, new NodeInput("send_message", null, """{"message_type": "text", "content": {"text": "version one"}}"""));
        Assert.True(node.IsOk);

        var v1 = await flow.PublishAsync(userId);
        Assert.Equal(1, v1.Value!.Version);
        var before = await StoredDefinitionAsync(created.Value.Id, 1);
        Assert.Contains("version one", before, StringComparison.Ordinal);

        Assert.True((await flow.UpdateNodeAsync(userId, node.Value!.Id, new NodeInput("send_message", "changed", """{"message_type": "text", "content": {"text": "version two"}}"""))).IsOk);
        Assert.True((await flow.AddNodeAsync(userId, new NodeInput("wait", null, """{"duration": 1, "unit": "minutes"}"""))).Status == CommandStatus.Ok);
        Assert.Equal(CommandStatus.Invalid, (await flow.PublishAsync(userId)).Status); // the new node is unreachable
        Assert.Equal(before, await StoredDefinitionAsync(created.Value.Id, 1));

        // Still the same after the grain reloads its state, and the table refuses to change a version.
        await fixture.DeactivateAsync(flow);
        Assert.Equal(before, (await flow.GetVersionAsync(1))!.DefinitionJson);
        Assert.Contains("version two", (await flow.GetAsync())!.Nodes![0].ConfigJson, StringComparison.Ordinal);
        await using var connection = await fixture.OpenAsync();
        await using var update = new NpgsqlCommand($"UPDATE flow_versions SET definition = '{{}}' WHERE flow_id = {created.Value.Id}", connection);
        await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task TwoBotsClaimingTheSamePhoneNumberConcurrently_ExactlyOneWins()
    {
        var (orgId, userId) = await OrganizationAsync();
        var directory = Grains.GetGrain<IBotRegistryGrain>(0);
        for (var round = 0; round < 5; round++)
        {
            var phone = NewPhone();
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => directory.CreateAsync(Bot(orgId, userId, phone))));
            Assert.Single(results, r => r.IsOk);
            Assert.All(results.Where(r => !r.IsOk), r => Assert.Equal(CommandStatus.Conflict, r.Status));
        }

        // Updates race the same way.
        var a = (await directory.CreateAsync(Bot(orgId, userId))).Value!.Id;
        var b = (await directory.CreateAsync(Bot(orgId, userId))).Value!.Id;
        var contested = NewPhone();
        UpdateBotCommand Claim() => new(userId, null, null, null, new FieldChange(contested), null, new SecretChange("grain-test-token"), null, null);
        var updates = await Task.WhenAll(Grains.GetGrain<IBotGrain>(a).UpdateAsync(Claim()), Grains.GetGrain<IBotGrain>(b).UpdateAsync(Claim()));
        Assert.Single(updates, r => r.IsOk);
        var loser = updates[0].IsOk ? b : a;
        Assert.Null((await Grains.GetGrain<IBotGrain>(loser).GetAsync())!.WhatsappPhoneNumberId);
        await fixture.DeactivateAsync(Grains.GetGrain<IBotGrain>(loser));
        Assert.Null((await Grains.GetGrain<IBotGrain>(loser).GetAsync())!.WhatsappPhoneNumberId);
    }

    [Fact]
    public async Task SecretsAreStoredEncrypted_AndDecryptedOnlyForTheSilo()
    {
        var (orgId, userId) = await OrganizationAsync();
        const string token = "GRAIN-CANARY-TOKEN-55aa66bb";
        var bot = await Grains.GetGrain<IBotRegistryGrain>(0).CreateAsync(Bot(orgId, userId, token: token));
        Assert.True(bot.Value!.WhatsappAccessToken.IsSet);
        Assert.Equal("66bb", bot.Value.WhatsappAccessToken.Last4);

        var credentials = await Grains.GetGrain<IBotCredentialsGrain>(bot.Value.Id).GetEffectiveCredentialsAsync();
        Assert.Equal(token, credentials!.AccessToken);
        Assert.True(credentials.UsesOwnAccessToken);
        Assert.DoesNotContain(token, credentials.ToString(), StringComparison.Ordinal);

        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleansstorage WHERE position(convert_to('GRAIN-CANARY', 'UTF8') in payloadbinary) > 0", connection);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
