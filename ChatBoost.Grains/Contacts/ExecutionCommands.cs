using System.Text.Json;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using Microsoft.Extensions.Logging;
using Npgsql;
using static ChatBoost.Grains.Contacts.ContactRowMapping;

namespace ChatBoost.Grains.Contacts;

/// <summary>The flow engine's API commands for one contact (start, resume, cancel, submit input), checked, then run.</summary>
internal sealed class ExecutionCommands(
    ContactSession session,
    ContactStore store,
    ExecutionRunner runner,
    FlowProgramCache programs,
    IGrainFactory grains,
    ILogger logger)
{
    public async Task<CommandResult<ExecutionView>> StartAsync(StartExecutionCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (session.Execution is { } active)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                $"The contact already has an active execution ({active.Id}, {StatusText(active.Snapshot.Status)}); cancel it first.",
                "contact_phone");
        }

        var flow = await grains.GetGrain<IFlowGrain>(command.FlowId).GetAsync();
        if (flow is null || flow.BotId != session.BotId || flow.OrganizationId != command.OrganizationId)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "Flow not found for this bot.", "flow_id");
        }

        if (flow.LatestVersion is not { } version)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Invalid, "The flow has no published version: publish it first.", "flow_id");
        }

        IReadOnlyDictionary<string, JsonElement> initial;
        try
        {
            initial = command.InitialStateJson is null ? new Dictionary<string, JsonElement>() : ExecutionSnapshot.DeserializeVariables(command.InitialStateJson);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Invalid, "initial_state must be a JSON object.", "initial_state");
        }

        if (session.Contact is { OptedIn: false })
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Invalid, "The contact has opted out of messages; opt them in first.", "contact_phone");
        }

        if (await programs.GetAsync(flow.Id, version) is not { } program)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "The flow's published version was not found.", "flow_id");
        }

        try
        {
            var started = await runner.StartAsync(program, command.OrganizationId, "api", command.StartedBy, initial, consumed: null);
            return CommandResult.Ok(View(started));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The contact already has an active execution.", "contact_phone");
        }
    }

    public async Task<CommandResult<ExecutionView>> ResumeAsync(long executionId)
    {
        if (session.Execution is { } active && active.Id == executionId)
        {
            if (active.Snapshot.Status == ExecutionStatus.Running)
            {
                return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The execution is running a step; there is nothing to resume.");
            }

            return CommandResult.Ok(View(await runner.StepAsync(new ResumeEvent()) ?? active));
        }

        var past = await store.LoadExecutionAsync(session.BotId, session.WaId, executionId, default);
        if (past is null)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "Execution not found.");
        }

        if (past.Snapshot.Status != ExecutionStatus.Failed)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                $"The execution has ended ({StatusText(past.Snapshot.Status)}); only a waiting or failed execution can be resumed.");
        }

        if (session.Execution is { } other)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                $"The contact has another active execution ({other.Id}); cancel it before retrying this one.");
        }

        // Retrying a failed step: the execution becomes the active one again, on the version it started on.
        if (await LoadProgramAsync(past) is not { } program)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The execution's flow version can no longer run; start a new execution.");
        }

        session.Adopt(past);
        runner.Restore(program);
        ExecutionRecord? resumed;
        try
        {
            resumed = await runner.StepAsync(new ResumeEvent());
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            session.Forget(past);
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The contact has another active execution.");
        }
        catch
        {
            session.Forget(past);
            throw;
        }

        return CommandResult.Ok(View(resumed ?? past));
    }

    public async Task<CommandResult<ExecutionView>> CancelAsync(long executionId, string reason)
    {
        if (session.Execution is { } active && active.Id == executionId)
        {
            var cancelled = await runner.StepAsync(new CancelEvent(string.IsNullOrWhiteSpace(reason) ? "cancelled" : reason));
            return CommandResult.Ok(View(cancelled ?? active));
        }

        return await EndedOrMissingAsync(executionId);
    }

    public async Task<CommandResult<ExecutionView>> SubmitInputAsync(long executionId, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (session.Execution is { } active && active.Id == executionId)
        {
            if (active.Snapshot.Status != ExecutionStatus.WaitingForReply)
            {
                return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                    $"The execution is not waiting for a reply (it is {StatusText(active.Snapshot.Status)}).");
            }

            return CommandResult.Ok(View(await runner.StepAsync(new ReplyEvent(message)) ?? active));
        }

        return await EndedOrMissingAsync(executionId);
    }

    /// <summary>The execution's pinned program; null when it no longer loads.</summary>
    public async Task<FlowProgram?> LoadProgramAsync(ExecutionRecord execution)
    {
        try
        {
            return await programs.GetAsync(execution.FlowId, execution.FlowVersion);
        }
        catch (InvalidOperationException e)
        {
            logger.LogError(e, "Execution {ExecutionId}: flow {FlowId} version {Version} no longer loads", execution.Id, execution.FlowId, execution.FlowVersion);
            return null;
        }
    }

    public ExecutionView View(ExecutionRecord r)
    {
        var s = r.Snapshot;
        return new ExecutionView(r.Id, r.OrganizationId, session.BotId, r.FlowId, r.FlowVersion, session.Contact!.Id, session.WaId,
            StatusText(s.Status), s.CurrentNodeId, ExecutionSnapshot.SerializeVariables(s.Variables), s.WakeAt, s.Error, s.TotalSteps,
            r.Trigger, r.StartedBy, s.StartedAt, r.UpdatedAt, s.EndedAt);
    }

    private async Task<CommandResult<ExecutionView>> EndedOrMissingAsync(long executionId)
    {
        var past = await store.LoadExecutionAsync(session.BotId, session.WaId, executionId, default);
        return past is null
            ? CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "Execution not found.")
            : CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, $"The execution has ended ({StatusText(past.Snapshot.Status)}).");
    }
}
