using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Organizations;
using Npgsql;

namespace ChatBoost.GrainTests.Bots;

/// <summary>A bot's default flow: checked when set, kept but inactive once the flow is deleted, cleared by null.</summary>
[Collection(ChatBoostClusterCollection.Name)]
public class BotDefaultFlowGrainTests(ChatBoostClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private async Task<(long OrgId, long UserId)> OrganizationAsync()
    {
        var registered = await Grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
            new RegisterUserCommand($"default-flow-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
        var created = await Grains.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(registered.User!.Id, "Default Flow Org", null);
        Assert.True(created.IsOk);
        return (created.Value!.Id, registered.User.Id);
    }

    private async Task<IBotGrain> BotAsync(long orgId, long userId)
    {
        var created = await Grains.GetGrain<IBotRegistryGrain>(0).CreateAsync(new CreateBotCommand(userId, orgId, "Bot", null, false, null, null, null, null, null));
        Assert.True(created.IsOk, created.Detail);
        return Grains.GetGrain<IBotGrain>(created.Value!.Id);
    }

    /// <summary>A flow with one send_message node, published when <paramref name="publish"/>.</summary>
    private async Task<long> FlowAsync(IBotGrain bot, long userId, bool publish = true)
    {
        var created = await bot.CreateFlowAsync(new CreateFlowCommand(userId, "Welcome", null));
        Assert.True(created.IsOk, created.Detail);
        var flow = Grains.GetGrain<IFlowGrain>(created.Value!.Id);
        Assert.True((await flow.AddNodeAsync(userId, new NodeInput("send_message", null, """{"message_type": "text", "content": {"text": "Hi"}}"""))).IsOk);
        if (publish)
        {
            Assert.True((await flow.PublishAsync(userId)).IsOk);
        }

        return created.Value.Id;
    }

    private static UpdateBotCommand SetDefault(long userId, long? flowId) => new(userId, null, null, null, null, null, null, null, null, new IdChange(flowId));

    private async Task<long?> ProjectedDefaultFlowAsync(long botId)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT default_flow_id FROM bots WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", botId);
        return await command.ExecuteScalarAsync() is long id ? id : null;
    }

    [Fact]
    public async Task APublishedFlowOfTheBot_BecomesTheDefault_AndNullClearsIt()
    {
        var (orgId, userId) = await OrganizationAsync();
        var bot = await BotAsync(orgId, userId);
        Assert.Null(await bot.GetDefaultFlowAsync());
        var flowId = await FlowAsync(bot, userId);

        var updated = await bot.UpdateAsync(SetDefault(userId, flowId));
        Assert.True(updated.IsOk, updated.Detail);
        Assert.Equal(flowId, updated.Value!.DefaultFlowId);
        Assert.Equal(flowId, await bot.GetDefaultFlowAsync());
        Assert.Equal(flowId, await ProjectedDefaultFlowAsync(bot.GetPrimaryKeyLong()));

        // Kept by the state, and left alone by an update that does not name it.
        await fixture.DeactivateAsync(bot);
        Assert.Equal(flowId, (await bot.GetAsync())!.DefaultFlowId);
        Assert.True((await bot.UpdateAsync(new UpdateBotCommand(userId, "Renamed", new FieldChange("changed"), null, null, null, null, null, null))).IsOk);
        Assert.Equal(flowId, await bot.GetDefaultFlowAsync());

        var cleared = await bot.UpdateAsync(SetDefault(userId, null));
        Assert.True(cleared.IsOk, cleared.Detail);
        Assert.Null(cleared.Value!.DefaultFlowId);
        Assert.Null(await bot.GetDefaultFlowAsync());
        Assert.Null(await ProjectedDefaultFlowAsync(bot.GetPrimaryKeyLong()));
    }

    [Fact]
    public async Task UnpublishedMissingAndOtherBotsFlows_AreRefused_AndNothingChanges()
    {
        var (orgId, userId) = await OrganizationAsync();
        var bot = await BotAsync(orgId, userId);
        var published = await FlowAsync(bot, userId);
        Assert.True((await bot.UpdateAsync(SetDefault(userId, published))).IsOk);

        var draft = await FlowAsync(bot, userId, publish: false);
        var unpublished = await bot.UpdateAsync(SetDefault(userId, draft) with { Name = "Not applied" });
        Assert.Equal(CommandStatus.Invalid, unpublished.Status);
        Assert.Equal("default_flow_id", unpublished.Field);
        Assert.Contains("published", unpublished.Detail, StringComparison.Ordinal);

        var otherBot = await BotAsync(orgId, userId);
        var otherFlow = await FlowAsync(otherBot, userId);
        var foreign = await bot.UpdateAsync(SetDefault(userId, otherFlow));
        Assert.Equal(CommandStatus.Invalid, foreign.Status);
        Assert.Equal("default_flow_id", foreign.Field);

        var missing = await bot.UpdateAsync(SetDefault(userId, long.MaxValue - 7));
        Assert.Equal(CommandStatus.Invalid, missing.Status);
        Assert.Equal(foreign.Detail!.Replace(otherFlow.ToString(System.Globalization.CultureInfo.InvariantCulture), "#", StringComparison.Ordinal),
            missing.Detail!.Replace((long.MaxValue - 7).ToString(System.Globalization.CultureInfo.InvariantCulture), "#", StringComparison.Ordinal));

        var view = await bot.GetAsync();
        Assert.Equal("Bot", view!.Name);
        Assert.Equal(published, view.DefaultFlowId);
        Assert.Equal(published, await bot.GetDefaultFlowAsync());

        // A new bot has no flows, so any default flow on create is refused.
        var create = await Grains.GetGrain<IBotRegistryGrain>(0).CreateAsync(
            new CreateBotCommand(userId, orgId, "Bot", null, false, null, null, null, null, null, published));
        Assert.Equal(CommandStatus.Invalid, create.Status);
        Assert.Equal("default_flow_id", create.Field);
    }

    [Fact]
    public async Task ADeletedDefaultFlow_StaysSetButStartsNothing_AndCannotBeSetAgain()
    {
        var (orgId, userId) = await OrganizationAsync();
        var bot = await BotAsync(orgId, userId);
        var flowId = await FlowAsync(bot, userId);
        Assert.True((await bot.UpdateAsync(SetDefault(userId, flowId))).IsOk);

        Assert.True((await Grains.GetGrain<IFlowGrain>(flowId).DeleteAsync(userId)).IsOk);
        Assert.Null(await bot.GetDefaultFlowAsync());
        Assert.Equal(flowId, (await bot.GetAsync())!.DefaultFlowId);
        Assert.Equal(flowId, await ProjectedDefaultFlowAsync(bot.GetPrimaryKeyLong()));
        Assert.Equal(CommandStatus.Invalid, (await bot.UpdateAsync(SetDefault(userId, flowId))).Status);

        // A deleted bot starts nothing either.
        var replacement = await FlowAsync(bot, userId);
        Assert.True((await bot.UpdateAsync(SetDefault(userId, replacement))).IsOk);
        Assert.Equal(replacement, await bot.GetDefaultFlowAsync());
        Assert.True((await bot.DeleteAsync(userId)).IsOk);
        Assert.Null(await bot.GetDefaultFlowAsync());
    }
}
