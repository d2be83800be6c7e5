using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// THE definitions of every analytics figure (written down in <c>docs/analytics.md</c>), applied to raw rows: the
/// aggregation folds <c>messages</c>, <c>contacts</c> and <c>flow_executions</c> rows with <see cref="Fold"/>, and every
/// endpoint only sums what it stored. Each fact belongs to the UTC hour of one timestamp, so the figures of any range
/// are the sums of its hours':
/// <list type="bullet">
/// <item>a message counts at its <c>created_at</c> (received, or queued for sending), by direction and type;</item>
/// <item>delivery figures are the current status of the outbound messages created in the hour: <see cref="IsSent"/>
///   (Meta accepted it), <see cref="IsDelivered"/> (delivered or read), read, failed, in doubt;</item>
/// <item>a response is the first outbound message after a customer's turn opened (the first inbound message since the
///   bot last wrote), within <see cref="ResponseWindow"/>; it counts at the reply's time, its duration from the opening
///   message;</item>
/// <item>a contact counts as new at its <c>created_at</c>, as active in every hour it has a message in;</item>
/// <item>an execution counts at its <c>started_at</c>: started, completed or failed (its status now), triggered when
///   something other than the API started it.</item>
/// </list>
/// </summary>
public static class StatsDefinitions
{
    /// <summary>A reply later than this after the customer's message is not a response (WhatsApp's service window).</summary>
    public static readonly TimeSpan ResponseWindow = TimeSpan.FromHours(24);

    public const string ApiTrigger = "api";

    public static bool IsSent(string status, DateTimeOffset? sentAt) =>
        status is "sent" or "delivered" or "read" || (status == "failed" && sentAt is not null);

    public static bool IsDelivered(string status) => status is "delivered" or "read";

    public static bool IsRead(string status) => status == "read";

    public static bool IsFailed(string status) => status == "failed";

    public static bool IsInDoubt(string status) => status == "in_doubt";

    /// <summary>The start of the UTC hour <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at) => LiveCounterFold.HourOf(at);

    /// <summary>
    /// The figures of the hours in [<paramref name="from"/>, <paramref name="to"/>) (both on UTC hours). Messages are needed
    /// from <see cref="ResponseWindow"/> before <paramref name="from"/> to find the turns that a reply in the range answers;
    /// rows outside the range count nothing. Only hours with facts are returned.
    /// </summary>
    public static StatsFoldResult Fold(
        IEnumerable<MessageFact> messages, IEnumerable<ContactFact> contacts, IEnumerable<ExecutionFact> executions,
        DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(executions);
        var hours = new Dictionary<(long Bot, DateTimeOffset Hour), HourAccumulator>();
        var activity = new Dictionary<(long Bot, DateTimeOffset Hour, string Contact), ContactActivity>();
        bool InRange(DateTimeOffset at) => at >= from && at < to;
        HourAccumulator Hour(long bot, long organization, DateTimeOffset at)
        {
            var key = (bot, HourOf(at));
            if (!hours.TryGetValue(key, out var accumulator))
            {
                hours[key] = accumulator = new HourAccumulator(organization);
            }

            return accumulator;
        }

        foreach (var conversation in messages.GroupBy(m => (m.BotId, m.ContactWaId)))
        {
            DateTimeOffset? turnOpenedAt = null;
            foreach (var message in conversation.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id))
            {
                if (InRange(message.CreatedAt))
                {
                    Hour(message.BotId, message.OrganizationId, message.CreatedAt).Count(message);
                    var hour = HourOf(message.CreatedAt);
                    activity.TryAdd((message.BotId, hour, message.ContactWaId),
                        new ContactActivity(message.BotId, message.OrganizationId, hour, message.ContactWaId, message.ContactCreatedAt));
                }

                if (message.Inbound)
                {
                    turnOpenedAt ??= message.CreatedAt;
                    continue;
                }

                if (turnOpenedAt is { } opened && message.CreatedAt - opened <= ResponseWindow && InRange(message.CreatedAt))
                {
                    Hour(message.BotId, message.OrganizationId, message.CreatedAt).Response(message.CreatedAt - opened);
                }

                turnOpenedAt = null;
            }
        }

        foreach (var contact in contacts.Where(c => InRange(c.CreatedAt)))
        {
            Hour(contact.BotId, contact.OrganizationId, contact.CreatedAt).NewContacts++;
        }

        foreach (var execution in executions.Where(e => InRange(e.StartedAt)))
        {
            Hour(execution.BotId, execution.OrganizationId, execution.StartedAt).Count(execution);
        }

        var activeByHour = activity.Keys.GroupBy(k => (k.Bot, k.Hour)).ToDictionary(g => g.Key, g => (long)g.Count());
        var result = hours
            .OrderBy(h => h.Key.Bot).ThenBy(h => h.Key.Hour)
            .Select(h => new BotHourStats(h.Key.Bot, h.Value.OrganizationId, h.Key.Hour, h.Value.ToValues(), activeByHour.GetValueOrDefault(h.Key)))
            .ToList();
        return new StatsFoldResult(result, activity.Values.OrderBy(a => a.BotId).ThenBy(a => a.Hour).ThenBy(a => a.ContactWaId, StringComparer.Ordinal).ToList());
    }

    private sealed class HourAccumulator(long organizationId)
    {
        private readonly Dictionary<string, long> _inbound = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _outbound = new(StringComparer.Ordinal);
        private long _sent, _delivered, _read, _failed, _inDoubt, _responses, _responseMillis;
        private long _started, _completed, _executionsFailed, _triggered;

        public long OrganizationId { get; } = organizationId;

        public long NewContacts { get; set; }

        public void Count(MessageFact message)
        {
            var byType = message.Inbound ? _inbound : _outbound;
            byType[message.MessageType] = byType.GetValueOrDefault(message.MessageType) + 1;
            if (message.Inbound)
            {
                return;
            }

            _sent += IsSent(message.Status, message.SentAt) ? 1 : 0;
            _delivered += IsDelivered(message.Status) ? 1 : 0;
            _read += IsRead(message.Status) ? 1 : 0;
            _failed += IsFailed(message.Status) ? 1 : 0;
            _inDoubt += IsInDoubt(message.Status) ? 1 : 0;
        }

        public void Response(TimeSpan took)
        {
            _responses++;
            _responseMillis += (long)took.TotalMilliseconds;
        }

        public void Count(ExecutionFact execution)
        {
            _started++;
            _completed += execution.Status == "completed" ? 1 : 0;
            _executionsFailed += execution.Status == "failed" ? 1 : 0;
            _triggered += execution.Trigger != ApiTrigger ? 1 : 0;
        }

        public StatsValues ToValues() => new(
            _inbound.Values.Sum(), _outbound.Values.Sum(), new Dictionary<string, long>(_inbound, StringComparer.Ordinal),
            new Dictionary<string, long>(_outbound, StringComparer.Ordinal), _sent, _delivered, _read, _failed, _inDoubt,
            _responses, _responseMillis, NewContacts, _started, _completed, _executionsFailed, _triggered);
    }
}
