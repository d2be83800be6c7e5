using System.Text.Json;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// Starts of a flow on behalf of automation (event triggers), each at most once per start key. The key is checked here
/// first (a redelivered event finds its execution), and written with the execution under the unique index
/// <c>flow_executions_start_key</c>, so even two activations racing with the same key start one execution. The contact's
/// rules hold as for any start: one active execution, nothing for an opted-out contact. Trigger logic is not here: the
/// caller decided that the flow should start; this only keeps the start exactly once and says why it did not happen.
/// </summary>
internal sealed class AutomatedStarts(
    ContactSession session,
    ContactStore store,
    ExecutionRunner runner,
    FlowProgramCache programs,
    IGrainFactory grains,
    ILogger logger)
{
    public const string StartKeyIndex = "flow_executions_start_key";

    public async Task<AutomatedStartOutcome> StartAsync(AutomatedStartCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (session.Execution is { StartKey: { } key } own && key == command.StartKey)
        {
            return new(AutomatedStartStatuses.AlreadyStarted, own.Id, null);
        }

        if (await store.FindExecutionByStartKeyAsync(command.StartKey, default) is { } existing)
        {
            return new(AutomatedStartStatuses.AlreadyStarted, existing, null);
        }

        if (session.Contact is not { IsStored: true } contact)
        {
            return new(AutomatedStartStatuses.NoContact, null, "the contact does not exist");
        }

        if (session.Execution is { } active)
        {
            return new(AutomatedStartStatuses.ActiveExecution, active.Id, $"the contact has an active execution ({active.Id}, flow {active.FlowId})");
        }

        if (!contact.OptedIn)
        {
            return new(AutomatedStartStatuses.OptedOut, null, "the contact has opted out of messages");
        }

        if (await ProgramAsync(command.FlowId) is not { } program)
        {
            return new(AutomatedStartStatuses.FlowUnavailable, null, $"flow {command.FlowId} is not this bot's or has no published version");
        }

        var initial = command.InitialStateJson is null ? new Dictionary<string, JsonElement>() : ExecutionSnapshot.DeserializeVariables(command.InitialStateJson);
        try
        {
            var started = await runner.StartAsync(program, command.OrganizationId, command.Trigger, startedBy: null, initial, consumed: null, command.StartKey);
            logger.LogInformation("Contact ({BotId}, {WaId}): execution {ExecutionId} started by {Trigger} ({StartKey})",
                session.BotId, session.WaId, started.Id, command.Trigger, command.StartKey);
            return new(AutomatedStartStatuses.Started, started.Id, null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another activation won the race: with this key (already started), or with another execution (one active).
            return e.ConstraintName == StartKeyIndex
                ? new(AutomatedStartStatuses.AlreadyStarted, await store.FindExecutionByStartKeyAsync(command.StartKey, default), null)
                : new(AutomatedStartStatuses.ActiveExecution, null, "the contact has an active execution");
        }
    }

    private async Task<FlowProgram?> ProgramAsync(long flowId)
    {
        var flow = await grains.GetGrain<IFlowGrain>(flowId).GetAsync();
        if (flow is null || flow.BotId != session.BotId || flow.LatestVersion is not { } version)
        {
            return null;
        }

        try
        {
            return await programs.GetAsync(flow.Id, version);
        }
        catch (InvalidOperationException e)
        {
            logger.LogError(e, "Flow {FlowId} version {Version} does not load; an automated start is refused", flow.Id, version);
            return null;
        }
    }
}
