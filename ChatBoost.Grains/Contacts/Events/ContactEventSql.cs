using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// Writes events into <c>contact_events</c> inside the caller's transaction: the transactional outbox. The event exists
/// exactly when the change it describes committed; the dispatcher delivers it afterwards.
/// </summary>
public static class ContactEventSql
{
    public const string InsertSql = """
        INSERT INTO contact_events (type, bot_id, organization_id, contact_wa_id, contact_id, message_id, execution_id,
                                    flow_id, node_id, occurred_at, data)
        SELECT e.type, e.bot_id, e.organization_id, e.contact_wa_id, e.contact_id, e.message_id, e.execution_id, e.flow_id,
               e.node_id, e.occurred_at, coalesce(e.data::jsonb, '{}'::jsonb)
        FROM unnest(@ev_types, @ev_bots, @ev_orgs, @ev_was, @ev_contacts, @ev_messages, @ev_executions, @ev_flows, @ev_nodes,
                    @ev_ats, @ev_data)
             WITH ORDINALITY AS e(type, bot_id, organization_id, contact_wa_id, contact_id, message_id, execution_id, flow_id,
                                  node_id, occurred_at, data, ord)
        ORDER BY e.ord
        """;

    /// <summary>One statement inserting <paramref name="events"/> in order; null when there are none.</summary>
    public static NpgsqlBatchCommand? Command(IReadOnlyList<NewContactEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return null;
        }

        var command = new NpgsqlBatchCommand(InsertSql);
        AddParameters(command.Parameters, events);
        return command;
    }

    /// <summary>Inserts <paramref name="events"/> on <paramref name="connection"/> within <paramref name="transaction"/>.</summary>
    public static async Task InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<NewContactEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        AddParameters(command.Parameters, events);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The events as the column arrays <c>@ev_types … @ev_data</c> (also used by <c>ContactCommitStatement</c>).</summary>
    public static void AddParameters(NpgsqlParameterCollection p, IReadOnlyList<NewContactEvent> events)
    {
        p.Add(Array("ev_types", NpgsqlDbType.Text, events.Select(e => (object?)e.Type)));
        p.Add(Array("ev_bots", NpgsqlDbType.Bigint, events.Select(e => (object?)e.BotId)));
        p.Add(Array("ev_orgs", NpgsqlDbType.Bigint, events.Select(e => (object?)e.OrganizationId)));
        p.Add(Array("ev_was", NpgsqlDbType.Text, events.Select(e => (object?)e.ContactWaId)));
        p.Add(Array("ev_contacts", NpgsqlDbType.Bigint, events.Select(e => (object?)e.ContactId)));
        p.Add(Array("ev_messages", NpgsqlDbType.Bigint, events.Select(e => (object?)e.MessageId)));
        p.Add(Array("ev_executions", NpgsqlDbType.Bigint, events.Select(e => (object?)e.ExecutionId)));
        p.Add(Array("ev_flows", NpgsqlDbType.Bigint, events.Select(e => (object?)e.FlowId)));
        p.Add(Array("ev_nodes", NpgsqlDbType.Bigint, events.Select(e => (object?)e.NodeId)));
        p.Add(Array("ev_ats", NpgsqlDbType.TimestampTz, events.Select(e => (object?)e.OccurredAt.ToUniversalTime())));
        p.Add(Array("ev_data", NpgsqlDbType.Text, events.Select(e => (object?)e.DataJson)));
    }

    /// <summary>An array parameter of <paramref name="type"/> whose nulls are sent as SQL NULL.</summary>
    public static NpgsqlParameter Array(string name, NpgsqlDbType type, IEnumerable<object?> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.Select(v => v ?? DBNull.Value).ToArray() };
}
