using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Organizations;
using Npgsql;

namespace ChatBoost.GrainTests.Flows;

/// <summary>An organization with a bot and a published flow built from nodes with local keys (the first is the entry).</summary>
public sealed record FlowScenario(long OrganizationId, long UserId, long BotId, long FlowId)
{
    public static async Task<FlowScenario> CreateAsync(IGrainFactory grains, params TemplateNode[] nodes)
    {
        var registered = await grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
            new RegisterUserCommand($"flows-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
        var org = await grains.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(registered.User!.Id, "Flow Org", null);
        var bot = await grains.GetGrain<IBotRegistryGrain>(0).CreateAsync(
            new CreateBotCommand(registered.User.Id, org.Value!.Id, "Flow bot", null, false, null, null, null, null, null));
        Assert.True(bot.IsOk, bot.Detail);
        var flow = await grains.GetGrain<IBotGrain>(bot.Value!.Id).CreateFlowAsync(
            new CreateFlowCommand(registered.User.Id, "Flow", null, nodes, nodes[0].Key));
        Assert.True(flow.IsOk, flow.Detail);
        var published = await grains.GetGrain<IFlowGrain>(flow.Value!.Id).PublishAsync(registered.User.Id);
        Assert.True(published.IsOk, string.Join("; ", published.Problems?.Select(p => p.Message) ?? []));
        return new FlowScenario(org.Value.Id, registered.User.Id, bot.Value.Id, flow.Value.Id);
    }

    public static string NewPhone() => "7" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IContactGrain Contact(IGrainFactory grains, string phone) => grains.GetGrain<IContactGrain>(BotId, phone, null);

    public async Task<ExecutionView> StartAsync(IGrainFactory grains, string phone, string? initialStateJson = null)
    {
        var started = await Contact(grains, phone).StartExecutionAsync(new StartExecutionCommand(FlowId, OrganizationId, initialStateJson, UserId));
        Assert.True(started.IsOk, started.Detail);
        return started.Value!;
    }

    /// <summary>The execution's row as the query tables hold it.</summary>
    public static async Task<(string Status, string State, string? Error)> RowAsync(NpgsqlConnection connection, long executionId)
    {
        await using var command = new NpgsqlCommand("SELECT status, state::text, error FROM flow_executions WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", executionId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    /// <summary>The execution's log events in order.</summary>
    public static async Task<List<string>> EventsAsync(NpgsqlConnection connection, long executionId)
    {
        await using var command = new NpgsqlCommand("SELECT event FROM flow_execution_logs WHERE execution_id = @id ORDER BY seq", connection);
        command.Parameters.AddWithValue("id", executionId);
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<string>();
        while (await reader.ReadAsync())
        {
            events.Add(reader.GetString(0));
        }

        return events;
    }

    /// <summary>How many reminders the contact grain of this phone has in the reminders table (phones are unique per test).</summary>
    public static async Task<long> RemindersAsync(NpgsqlConnection connection, string phone)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM orleansreminderstable WHERE grainid LIKE @grain", connection);
        command.Parameters.AddWithValue("grain", $"%{phone}%");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Polls until the condition holds or the time is up (then returns false).</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return await condition();
    }
}
