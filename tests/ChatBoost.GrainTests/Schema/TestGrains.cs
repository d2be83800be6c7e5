using System.Collections.Concurrent;

namespace ChatBoost.GrainTests.Schema;

/// <summary>State persisted by the probe grains through the "Default" ADO.NET storage.</summary>
[GenerateSerializer]
public sealed class ProbeState
{
    [Id(0)]
    public string? Value { get; set; }

    [Id(1)]
    public int Writes { get; set; }
}

/// <summary>What a probe grain sees of its persistent state.</summary>
[GenerateSerializer]
public sealed record StateSnapshot(
    [property: Id(0)] string? Value,
    [property: Id(1)] int Writes,
    [property: Id(2)] bool RecordExists,
    [property: Id(3)] string? ETag);

/// <summary>Operations shared by the probe grains of every key kind.</summary>
public interface IStateProbeGrain : IGrain
{
    /// <summary>Sets the value, counts the write and persists.</summary>
    Task<StateSnapshot> Write(string value);

    /// <summary>The state as loaded on activation (or after the last operation).</summary>
    Task<StateSnapshot> Read();

    /// <summary>Clears the persisted state.</summary>
    Task<StateSnapshot> Clear();
}

public interface IStringKeyProbeGrain : IStateProbeGrain, IGrainWithStringKey;

public interface IGuidKeyProbeGrain : IStateProbeGrain, IGrainWithGuidKey;

public interface IIntegerKeyProbeGrain : IStateProbeGrain, IGrainWithIntegerKey;

public interface ICompoundKeyProbeGrain : IStateProbeGrain, IGrainWithIntegerCompoundKey;

public abstract class StateProbeGrainBase(IPersistentState<ProbeState> state) : Grain, IStateProbeGrain
{
    public async Task<StateSnapshot> Write(string value)
    {
        state.State.Value = value;
        state.State.Writes++;
        await state.WriteStateAsync();
        return Snapshot();
    }

    public Task<StateSnapshot> Read() => Task.FromResult(Snapshot());

    public async Task<StateSnapshot> Clear()
    {
        await state.ClearStateAsync();
        return Snapshot();
    }

    private StateSnapshot Snapshot() => new(state.State.Value, state.State.Writes, state.RecordExists, state.Etag);
}

public sealed class StringKeyProbeGrain([PersistentState("probe", "Default")] IPersistentState<ProbeState> state)
    : StateProbeGrainBase(state), IStringKeyProbeGrain;

public sealed class GuidKeyProbeGrain([PersistentState("probe", "Default")] IPersistentState<ProbeState> state)
    : StateProbeGrainBase(state), IGuidKeyProbeGrain;

public sealed class IntegerKeyProbeGrain([PersistentState("probe", "Default")] IPersistentState<ProbeState> state)
    : StateProbeGrainBase(state), IIntegerKeyProbeGrain;

public sealed class CompoundKeyProbeGrain([PersistentState("probe", "Default")] IPersistentState<ProbeState> state)
    : StateProbeGrainBase(state), ICompoundKeyProbeGrain;

/// <summary>Registers reminders on itself and reports ticks to <see cref="ReminderTicks"/>.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task Register(string reminderName, TimeSpan dueTime, TimeSpan period);

    Task Unregister(string reminderName);

    Task<List<string>> ListReminderNames();
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public async Task Register(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        await this.RegisterOrUpdateReminder(reminderName, dueTime, period);

    public async Task Unregister(string reminderName)
    {
        var reminder = await this.GetReminder(reminderName)
            ?? throw new InvalidOperationException($"Reminder '{reminderName}' is not registered.");
        await this.UnregisterReminder(reminder);
    }

    public async Task<List<string>> ListReminderNames() =>
        (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal).ToList();

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderTicks.Record(this.GetPrimaryKeyString(), reminderName);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Process-wide record of reminder ticks. The in-process test cluster runs in the test
/// process, so tests can await a tick directly.
/// </summary>
public static class ReminderTicks
{
    private static readonly ConcurrentDictionary<(string Grain, string Reminder), TaskCompletionSource> Ticks = new();

    public static void Record(string grainKey, string reminderName) =>
        Get(grainKey, reminderName).TrySetResult();

    public static Task WaitAsync(string grainKey, string reminderName, TimeSpan timeout) =>
        Get(grainKey, reminderName).Task.WaitAsync(timeout);

    private static TaskCompletionSource Get(string grainKey, string reminderName) =>
        Ticks.GetOrAdd((grainKey, reminderName), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
