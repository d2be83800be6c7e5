using System.Globalization;
using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// The flow interpreter: pure functions from (program, state, event, contact, time, limits) to a new state, the effects
/// to perform and log lines. Nodes run in a loop until an external effect (a message to send, a webhook to call), a
/// wait, the end of the flow or a failure. <c>condition</c> and <c>set_attribute</c> run inside the loop.
/// </summary>
public static class FlowInterpreter
{
    /// <summary>The state variable that receives a failed webhook call's reason.</summary>
    public const string WebhookErrorVariable = "webhook_error";

    private const int MaxLoggedReplyLength = 100;
    private const int MaxErrorLength = 500;

    /// <summary>Starts an execution at the program's entry node.</summary>
    public static StepOutcome Start(FlowProgram program, StartEvent start, ContactContext contact, DateTimeOffset now, ExecutionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(start);
        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in start.InitialVariables)
        {
            variables[name] = value.Clone();
        }

        var initial = new ExecutionSnapshot(
            ExecutionStatus.Running, program.EntryNodeId, variables, now, now, 0, 0, null, null, null, null);
        var run = new Run(program, initial, contact, now, limits);
        run.Log(null, StepLogEvents.Started,
            $"flow {program.FlowId} version {program.Version} started at node {program.EntryNodeId}", StepLogLevels.Info);
        if (run.VariablesFit(null, "the initial variables", null, null))
        {
            run.Continue(program.EntryNodeId);
        }

        return run.Finish();
    }

    /// <summary>Applies one event to an execution.</summary>
    public static StepOutcome Apply(
        FlowProgram program, ExecutionSnapshot state, FlowEvent e, ContactContext contact, DateTimeOffset now, ExecutionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(limits);
        var run = new Run(program, state, contact, now, limits);

        // FLOW_EXECUTION_TIMEOUT: a run that has not reached a wait within the limit is stuck (a lost effect result,
        // a crash loop). An explicit cancel still wins.
        if (state.Status == ExecutionStatus.Running && e is not CancelEvent && now - state.RunStartedAt > limits.RunTimeout)
        {
            run.Fail(state.CurrentNodeId,
                $"the execution ran for more than {Seconds(limits.RunTimeout)} s without waiting (FLOW_EXECUTION_TIMEOUT)");
            return run.Finish();
        }

        switch (e)
        {
            case SendCompletedEvent sent:
                return OnSendCompleted(run, state, sent);
            case WebhookCompletedEvent answered:
                return OnWebhookCompleted(run, state, answered);
            case ReplyEvent reply:
                return OnReply(run, state, reply);
            case WakeUpEvent:
                return OnWakeUp(run, state, now);
            case ResumeEvent:
                return OnResume(run, state);
            case CancelEvent cancel:
                if (!state.IsActive)
                {
                    return Ignored(program, state, now, $"cancel ignored: the execution is already {Describe(state.Status)}.");
                }

                run.Cancel(cancel.Reason);
                return run.Finish();
            case RecoverEvent:
                if (state.Status != ExecutionStatus.Running || state.CurrentNodeId is not { } current)
                {
                    return Ignored(program, state, now, $"recover ignored: the execution is {Describe(state.Status)}, not running a step.");
                }

                run.Log(current, StepLogEvents.Recovered,
                    $"re-entering node {current} after a restart; its {PendingName(state.PendingEffect)} may be repeated", StepLogLevels.Warning);
                run.Continue(current, countStep: false);
                return run.Finish();
            case StartEvent:
                return Ignored(program, state, now, "start ignored: the execution has already started.");
            default:
                return Ignored(program, state, now, $"{e.GetType().Name} ignored: unknown event.");
        }
    }

    private static StepOutcome OnSendCompleted(Run run, ExecutionSnapshot state, SendCompletedEvent sent)
    {
        if (state.Status != ExecutionStatus.Running || state.PendingEffect != PendingEffectKind.Send)
        {
            return Ignored(run.Program, state, run.Now,
                $"send result ignored: no message is being sent (the execution is {Describe(state.Status)}).");
        }

        if (!run.TryCurrent<SendMessageConfig>(out var node, out var config))
        {
            return run.Finish();
        }

        run.ClearPending();
        if (!sent.Success)
        {
            run.Fail(node.Id, $"send_message node {node.Id}: {Shorten(sent.Error, "the message could not be sent")}");
            return run.Finish();
        }

        run.Log(node.Id, StepLogEvents.MessageSent, "the message was accepted for delivery", StepLogLevels.Info);
        run.Continue(config.Next);
        return run.Finish();
    }

    private static StepOutcome OnWebhookCompleted(Run run, ExecutionSnapshot state, WebhookCompletedEvent answered)
    {
        if (state.Status != ExecutionStatus.Running || state.PendingEffect != PendingEffectKind.Webhook)
        {
            return Ignored(run.Program, state, run.Now,
                $"webhook result ignored: no webhook call is in flight (the execution is {Describe(state.Status)}).");
        }

        if (!run.TryCurrent<WebhookActionConfig>(out var node, out var config))
        {
            return run.Finish();
        }

        run.ClearPending();
        var status = answered.StatusCode is { } code ? $"HTTP {code}" : null;
        if (answered.Success)
        {
            var stored = "";
            var removedError = run.RemoveVariable(WebhookErrorVariable);
            if (config.StoreResponseIn is { Name: { } name } target)
            {
                var previous = run.SetVariable(name, answered.Body is { } body ? body.Clone() : FlowRendering.NullElement());
                stored = $"; response stored in {target.Expression}";
                if (!run.VariablesFit(node.Id, $"the webhook response in {target.Expression}", name, previous))
                {
                    if (removedError is { } error)
                    {
                        run.SetVariable(WebhookErrorVariable, error);
                    }

                    return run.Finish();
                }
            }

            run.Log(node.Id, StepLogEvents.WebhookSucceeded, $"{status ?? "success"}{stored} -> next ({Target(config.Next)})", StepLogLevels.Info);
            run.Continue(config.Next);
            return run.Finish();
        }

        var reason = Shorten(
            status is not null && answered.Error is { } detail && !detail.Contains(answered.StatusCode!.Value.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                ? $"{status}: {detail}"
                : answered.Error ?? status,
            "the webhook call failed");
        var previousError = run.SetVariable(WebhookErrorVariable, FlowRendering.StringElement(reason));
        if (config.ErrorPath is { } errorPath)
        {
            run.Log(node.Id, StepLogEvents.WebhookFailed,
                $"{reason} -> error_path ({Target(errorPath)}); the reason is in state.{WebhookErrorVariable}", StepLogLevels.Warning);
            if (run.VariablesFit(node.Id, $"state.{WebhookErrorVariable}", WebhookErrorVariable, previousError))
            {
                run.Continue(errorPath);
            }

            return run.Finish();
        }

        run.Log(node.Id, StepLogEvents.WebhookFailed, $"{reason}; the node has no error_path", StepLogLevels.Warning);
        run.Fail(node.Id, $"webhook_action node {node.Id}: {reason}");
        return run.Finish();
    }

    private static StepOutcome OnReply(Run run, ExecutionSnapshot state, ReplyEvent reply)
    {
        if (state.Status != ExecutionStatus.WaitingForReply)
        {
            // Not waiting for a reply: the caller decides what the message means (e.g. it may start another flow).
            return new StepOutcome(state, [], []);
        }

        if (!run.TryCurrent<WaitForReplyConfig>(out var node, out var config))
        {
            return run.Finish();
        }

        run.NewRun();
        var text = reply.Text ?? "";
        var name = config.StoreResponseIn.Name!;
        var previous = run.SetVariable(name, FlowRendering.StringElement(text));
        var shown = text.Length <= MaxLoggedReplyLength ? text : text[..MaxLoggedReplyLength] + "…";
        run.Log(node.Id, StepLogEvents.ReplyReceived,
            $"reply \"{shown}\" stored in {config.StoreResponseIn.Expression} -> next ({Target(config.Next)})", StepLogLevels.Info);
        if (run.VariablesFit(node.Id, $"the reply in {config.StoreResponseIn.Expression}", name, previous))
        {
            run.Continue(config.Next);
        }

        return run.Finish();
    }

    private static StepOutcome OnWakeUp(Run run, ExecutionSnapshot state, DateTimeOffset now)
    {
        var due = state.WakeAt is not { } wakeAt || now >= wakeAt;
        if (!due || state.Status is not (ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply))
        {
            return new StepOutcome(state, [], []);
        }

        if (state.Status == ExecutionStatus.Waiting)
        {
            if (!run.TryCurrent<WaitForDurationConfig>(out var node, out var config))
            {
                return run.Finish();
            }

            run.NewRun();
            run.Log(node.Id, StepLogEvents.WaitEnded, $"the wait is over -> next ({Target(config.Next)})", StepLogLevels.Info);
            run.Continue(config.Next);
            return run.Finish();
        }

        if (!run.TryCurrent<WaitForReplyConfig>(out var replyNode, out var replyConfig))
        {
            return run.Finish();
        }

        run.NewRun();
        run.Log(replyNode.Id, StepLogEvents.Timeout,
            $"no reply within {Amount(replyConfig.Timeout, replyConfig.TimeoutUnit)} -> timeout_path ({Target(replyConfig.TimeoutPath)})",
            StepLogLevels.Info);
        run.Continue(replyConfig.TimeoutPath);
        return run.Finish();
    }

    private static StepOutcome OnResume(Run run, ExecutionSnapshot state)
    {
        switch (state.Status)
        {
            case ExecutionStatus.Waiting:
                {
                    if (!run.TryCurrent<WaitForDurationConfig>(out var node, out var config))
                    {
                        return run.Finish();
                    }

                    run.NewRun();
                    run.Log(node.Id, StepLogEvents.Resumed, $"the wait was ended manually -> next ({Target(config.Next)})", StepLogLevels.Info);
                    run.Continue(config.Next);
                    return run.Finish();
                }

            case ExecutionStatus.WaitingForReply:
                {
                    if (!run.TryCurrent<WaitForReplyConfig>(out var node, out var config))
                    {
                        return run.Finish();
                    }

                    run.NewRun();
                    run.Log(node.Id, StepLogEvents.Resumed,
                        $"the wait for a reply was ended manually -> timeout_path ({Target(config.TimeoutPath)})", StepLogLevels.Info);
                    run.Continue(config.TimeoutPath);
                    return run.Finish();
                }

            case ExecutionStatus.Failed when state.CurrentNodeId is { } failed:
                run.NewRun();
                run.Log(failed, StepLogEvents.Resumed, $"retrying node {failed} after: {state.Error}", StepLogLevels.Info);
                run.Continue(failed);
                return run.Finish();
            default:
                return Ignored(run.Program, state, run.Now, $"resume ignored: the execution is {Describe(state.Status)}.");
        }
    }

    private static StepOutcome Ignored(FlowProgram program, ExecutionSnapshot state, DateTimeOffset now, string detail)
    {
        var nodeType = state.CurrentNodeId is { } id && program.Nodes.TryGetValue(id, out var node) ? node.Type : null;
        return new StepOutcome(state, [], [new StepLog(state.CurrentNodeId, nodeType, StepLogEvents.Ignored, detail, now, StepLogLevels.Warning)]);
    }

    private static string Describe(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Running => "running",
        ExecutionStatus.Waiting => "waiting",
        ExecutionStatus.WaitingForReply => "waiting for a reply",
        ExecutionStatus.Completed => "completed",
        ExecutionStatus.Failed => "failed",
        _ => "cancelled",
    };

    private static string PendingName(PendingEffectKind? pending) => pending switch
    {
        PendingEffectKind.Send => "message",
        PendingEffectKind.Webhook => "webhook call",
        _ => "effect",
    };

    internal static string Target(long? node) => node is { } id ? $"node {id}" : "end";

    internal static string Amount(double amount, string unit) => $"{AttributeValues.FormatNumber(amount)} {unit}";

    private static string Seconds(TimeSpan span) => AttributeValues.FormatNumber(Math.Round(span.TotalSeconds, 3));

    private static string Shorten(string? text, string fallback)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return fallback;
        }

        return trimmed.Length <= MaxErrorLength ? trimmed : trimmed[..MaxErrorLength] + "…";
    }

    /// <summary>The mutable working state of one interpreter call.</summary>
    private sealed class Run
    {
        private readonly ExecutionSnapshot original;
        private readonly ExecutionLimits limits;
        private readonly Dictionary<string, JsonElement> variables;
        private readonly List<FlowEffect> effects = [];
        private readonly List<StepLog> logs = [];
        private readonly List<long> entered = [];
        private ContactContext contact;
        private Dictionary<string, AttributeValue>? attributes;
        private ExecutionStatus status;
        private long? current;
        private DateTimeOffset runStartedAt;
        private int stepsThisRun;
        private int totalSteps;
        private DateTimeOffset? wakeAt;
        private PendingEffectKind? pending;
        private string? error;
        private DateTimeOffset? endedAt;

        public Run(FlowProgram program, ExecutionSnapshot state, ContactContext contact, DateTimeOffset now, ExecutionLimits limits)
        {
            ArgumentNullException.ThrowIfNull(contact);
            ArgumentNullException.ThrowIfNull(limits);
            Program = program;
            Now = now;
            original = state;
            this.limits = limits;
            this.contact = contact;
            variables = new Dictionary<string, JsonElement>(state.Variables, StringComparer.Ordinal);
            status = state.Status;
            current = state.CurrentNodeId;
            runStartedAt = state.RunStartedAt;
            stepsThisRun = state.StepsThisRun;
            totalSteps = state.TotalSteps;
            wakeAt = state.WakeAt;
            pending = state.PendingEffect;
            error = state.Error;
            endedAt = state.EndedAt;
        }

        public FlowProgram Program { get; }

        public DateTimeOffset Now { get; }

        public StepOutcome Finish() => new(
            original with
            {
                Status = status,
                CurrentNodeId = current,
                Variables = variables,
                RunStartedAt = runStartedAt,
                StepsThisRun = stepsThisRun,
                TotalSteps = totalSteps,
                WakeAt = wakeAt,
                PendingEffect = pending,
                Error = error,
                EndedAt = endedAt,
            },
            effects,
            logs)
        {
            EnteredNodes = entered,
        };

        /// <summary>A new run after a wait, a reply or a manual resume: fresh step budget and run timeout.</summary>
        public void NewRun()
        {
            status = ExecutionStatus.Running;
            runStartedAt = Now;
            stepsThisRun = 0;
            wakeAt = null;
            pending = null;
            error = null;
            endedAt = null;
        }

        public void ClearPending() => pending = null;

        /// <summary>The current node with its config of the expected type; otherwise the execution fails.</summary>
        public bool TryCurrent<T>(out ProgramNode node, out T config) where T : NodeConfig
        {
            if (current is { } id && Program.Nodes.TryGetValue(id, out var found) && found.Config is T typed)
            {
                node = found;
                config = typed;
                return true;
            }

            node = null!;
            config = null!;
            Fail(current, current is { } missing && !Program.Nodes.ContainsKey(missing)
                ? $"node {missing} is not part of flow {Program.FlowId} version {Program.Version}"
                : $"the execution's state does not match node {(current is { } c ? c.ToString(CultureInfo.InvariantCulture) : "(none)")} ({typeof(T).Name} expected)");
            return false;
        }

        /// <summary>Sets a variable; returns the previous value (null when there was none).</summary>
        public JsonElement? SetVariable(string name, JsonElement value)
        {
            JsonElement? previous = variables.TryGetValue(name, out var old) ? old : null;
            variables[name] = value;
            return previous;
        }

        public JsonElement? RemoveVariable(string name) => variables.Remove(name, out var old) ? old : null;

        /// <summary>
        /// Whether the variables still fit <see cref="ExecutionLimits.MaxVariablesBytes"/>. When they do not, the
        /// variable just written is restored to <paramref name="previous"/> and the execution fails.
        /// </summary>
        public bool VariablesFit(long? nodeId, string what, string? written, JsonElement? previous)
        {
            var size = ExecutionSnapshot.VariablesSize(variables);
            if (size <= limits.MaxVariablesBytes)
            {
                return true;
            }

            if (written is not null)
            {
                if (previous is { } value)
                {
                    variables[written] = value;
                }
                else
                {
                    variables.Remove(written);
                }
            }

            Fail(nodeId,
                $"the state variables would take {size} bytes after storing {what}, over the limit of {limits.MaxVariablesBytes} bytes");
            return false;
        }

        public void Log(long? nodeId, string eventName, string detail, string level)
        {
            var nodeType = nodeId is { } id && Program.Nodes.TryGetValue(id, out var node) ? node.Type : null;
            logs.Add(new StepLog(nodeId, nodeType, eventName, detail, Now, level));
        }

        public void Fail(long? nodeId, string reason)
        {
            status = ExecutionStatus.Failed;
            current = nodeId ?? current;
            error = reason;
            endedAt = Now;
            pending = null;
            wakeAt = null;
            Log(current, StepLogEvents.Failed, reason, StepLogLevels.Error);
        }

        public void Cancel(string reason)
        {
            status = ExecutionStatus.Cancelled;
            endedAt = Now;
            pending = null;
            wakeAt = null;
            Log(current, StepLogEvents.Cancelled,
                string.IsNullOrWhiteSpace(reason) ? "cancelled" : $"cancelled: {Shorten(reason, "")}", StepLogLevels.Info);
        }

        /// <summary>
        /// Runs nodes from <paramref name="nodeId"/> until an external effect, a wait, the end or a failure.
        /// <paramref name="countStep"/> false re-enters the first node without counting it again (recovery).
        /// </summary>
        public void Continue(long? nodeId, bool countStep = true)
        {
            var count = countStep;
            var from = current;
            status = ExecutionStatus.Running;
            while (true)
            {
                if (nodeId is not { } id)
                {
                    Complete(from);
                    return;
                }

                if (!Program.Nodes.TryGetValue(id, out var node))
                {
                    Fail(id, $"node {id} is not part of flow {Program.FlowId} version {Program.Version}");
                    return;
                }

                if (count)
                {
                    if (stepsThisRun >= limits.MaxStepsPerRun)
                    {
                        Fail(id, $"step budget exceeded: {limits.MaxStepsPerRun} steps without a wait (the flow loops)");
                        return;
                    }

                    stepsThisRun++;
                    totalSteps++;
                    entered.Add(id);
                }

                count = true;
                current = id;
                from = id;
                NodeResult result;
                try
                {
                    result = Perform(node);
                }
                catch (FlowStepException e)
                {
                    Fail(id, $"{node.Type} node {id}: {e.Message}");
                    return;
                }

                if (result.Stop)
                {
                    return;
                }

                nodeId = result.Next;
            }
        }

        private void Complete(long? lastNodeId)
        {
            status = ExecutionStatus.Completed;
            current = null;
            endedAt = Now;
            pending = null;
            wakeAt = null;
            error = null;
            Log(lastNodeId, StepLogEvents.Completed, "the flow reached its end", StepLogLevels.Info);
        }

        private NodeResult Perform(ProgramNode node)
        {
            var renderer = new NodeRenderer(Resolve, reference => Log(node.Id, StepLogEvents.PlaceholderMissing,
                $"{{{{{reference.Expression}}}}} has no value; rendered as empty text", StepLogLevels.Warning));
            switch (node.Config)
            {
                case SendMessageConfig send:
                    {
                        var message = MessageBuilder.Build(send.Message, contact.Phone, renderer);
                        effects.Add(new SendMessageEffect(node.Id, message));
                        pending = PendingEffectKind.Send;
                        Log(node.Id, StepLogEvents.MessageQueued, $"{MessageBuilder.Describe(send.Message)} queued", StepLogLevels.Info);
                        return NodeResult.Stopped;
                    }

                case WaitForDurationConfig wait:
                    status = ExecutionStatus.Waiting;
                    wakeAt = Now + wait.Delay;
                    Log(node.Id, StepLogEvents.Waiting,
                        $"waiting {Amount(wait.Duration, wait.Unit)}, until {FlowRendering.FormatNow(wakeAt.Value)}", StepLogLevels.Info);
                    return NodeResult.Stopped;
                case WaitForReplyConfig reply:
                    status = ExecutionStatus.WaitingForReply;
                    wakeAt = Now + reply.TimeoutSpan;
                    Log(node.Id, StepLogEvents.Waiting,
                        $"waiting for a reply (stored in {reply.StoreResponseIn.Expression}) until {FlowRendering.FormatNow(wakeAt.Value)}; "
                        + $"then timeout_path ({Target(reply.TimeoutPath)})", StepLogLevels.Info);
                    return NodeResult.Stopped;
                case ConditionConfig condition:
                    {
                        var outcome = ConditionEvaluator.Evaluate(condition, renderer.Resolve, renderer.Text);
                        var next = outcome ? condition.TruePath : condition.FalsePath;
                        Log(node.Id, StepLogEvents.Branch,
                            $"condition {DescribeCondition(condition)} -> {(outcome ? "true_path" : "false_path")} ({Target(next)})", StepLogLevels.Info);
                        return NodeResult.GoTo(next);
                    }

                case WebhookActionConfig webhook:
                    effects.Add(WebhookRequestBuilder.Build(node.Id, webhook, renderer));
                    pending = PendingEffectKind.Webhook;
                    Log(node.Id, StepLogEvents.WebhookCalled,
                        $"{webhook.Method} {webhook.Url} (timeout {webhook.TimeoutSeconds} s)", StepLogLevels.Info);
                    return NodeResult.Stopped;
                case SetAttributeConfig set:
                    SetAttribute(node, set, renderer);
                    return NodeResult.GoTo(set.Next);
                default:
                    throw new FlowStepException($"node type '{node.Type}' cannot be run.");
            }
        }

        private void SetAttribute(ProgramNode node, SetAttributeConfig set, NodeRenderer renderer)
        {
            var key = set.AttributeKey;
            if (!AttributeValues.IsValidKey(key))
            {
                throw new FlowStepException($"'{key}' is not a valid attribute key.");
            }

            var rendered = renderer.Text(set.AttributeValue);
            if (!AttributeValues.TryNormalize(set.ValueType, rendered, quoteValue: false, out var value, out var problem))
            {
                throw new FlowStepException($"attribute '{key}' ({set.ValueType}): {problem}");
            }

            attributes ??= new Dictionary<string, AttributeValue>(contact.Attributes, ComparerOf(contact.Attributes));
            if (!attributes.ContainsKey(key) && attributes.Count >= AttributeValues.MaxAttributesPerContact)
            {
                throw new FlowStepException(
                    $"attribute '{key}': the contact already has {AttributeValues.MaxAttributesPerContact} attributes, the maximum.");
            }

            attributes[key] = value!;
            contact = contact with { Attributes = attributes };
            effects.Add(new SetAttributeEffect(key, value!));
            Log(node.Id, StepLogEvents.AttributeSet, $"attribute '{key}' set ({set.ValueType}) -> next ({Target(set.Next)})", StepLogLevels.Info);
        }

        private JsonElement? Resolve(PlaceholderRef reference) => FlowRendering.Resolve(reference, contact, variables, Now);

        private static IEqualityComparer<string> ComparerOf(IReadOnlyDictionary<string, AttributeValue> source) =>
            source is Dictionary<string, AttributeValue> dictionary ? dictionary.Comparer : StringComparer.Ordinal;

        private static string DescribeCondition(ConditionConfig condition)
        {
            var text = $"{condition.Variable.Expression} {condition.Operator}";
            if (condition.Value is { } value)
            {
                var shown = FlowRendering.ToCompactJson(value);
                text += " " + (shown.Length <= 100 ? shown : shown[..100] + "…");
            }

            return condition.CaseSensitive ? text + " (case-sensitive)" : text;
        }
    }

    private readonly record struct NodeResult(bool Stop, long? Next)
    {
        public static NodeResult Stopped => new(true, null);

        public static NodeResult GoTo(long? next) => new(false, next);
    }
}
