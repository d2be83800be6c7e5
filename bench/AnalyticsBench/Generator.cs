using System.Diagnostics;
using Npgsql;

namespace ChatBoost.Bench.Analytics;

/// <summary>
/// Fills a scratch database with one user, an organization per 10 bots, the bots, the contacts (created over the last 90
/// days) and the messages: conversations of one inbound message and its reply 0–30 s later, at random times over the last
/// 90 days, types 70 % text / 10 % image / 10 % template / 10 % interactive, reply statuses spread over
/// sent/delivered/read/failed/in_doubt. Then flows for the funnel: one published five-node flow on each of the first
/// <see cref="FlowBots"/> bots, one execution per 20 messages on them, each entering 1–5 nodes (a <c>node_entered</c>
/// event each) and ending completed, failed or cancelled. Set-based SQL (generate_series); the messages' secondary
/// indexes and unique constraints are dropped for the load and rebuilt after it (in bulk, far cheaper than row by row),
/// and the load runs as <see cref="Parallelism"/> statements at once.
/// </summary>
internal static class Generator
{
    private const int FlowBots = 100;
    private const int Parallelism = 2;

    public static async Task<TimeSpan> FillAsync(NpgsqlDataSource db, int bots, long contacts, long messages)
    {
        var watch = Stopwatch.StartNew();
        void Step(string what) => Console.WriteLine($"  {what}: {watch.Elapsed.TotalSeconds:0.0} s");
        await ExecuteAsync(db, """
            INSERT INTO users (id, email, email_normalized, password_hash, personal_organization_id)
            VALUES (1, 'bench@bench.test', 'bench@bench.test', 'not-a-hash', 1);
            INSERT INTO organizations (id, name, is_personal, created_by, created_at)
            SELECT g, 'Bench organization ' || g, false, 1, now() FROM generate_series(1, (@bots + 9) / 10) g;
            INSERT INTO bots (id, organization_id, name, is_whatsapp_enabled, created_by, created_at)
            SELECT g, ((g - 1) / 10) + 1, 'Bench bot ' || g, false, 1, now() FROM generate_series(1, @bots) g;
            INSERT INTO contacts (bot_id, organization_id, wa_id, created_at)
            SELECT (g % @bots) + 1, ((g % @bots) / 10) + 1, '49' || g, now() - random() * interval '90 days'
            FROM generate_series(1, @contacts) g;
            """, ("bots", bots), ("contacts", contacts));
        Step("organizations, bots and contacts");

        var rebuild = await DropMessageIndexesAsync(db);
        var share = (messages / 2 + Parallelism - 1) / Parallelism;
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(part => ExecuteAsync(db, MessagesSql,
            ("bots", bots), ("contacts", contacts), ("first", 1 + (part * share)), ("last", Math.Min(messages / 2, (part + 1) * share)))));
        Step($"messages ({Parallelism} statements)");
        await Task.WhenAll(rebuild.Select(ddl => ExecuteAsync(db, "SET maintenance_work_mem = '512MB'; " + ddl)));
        Step($"messages' {rebuild.Count} indexes and constraints rebuilt");

        // Every message counts as consumed (as migration 0080 did for existing history), so the sweeper has nothing to do.
        await ExecuteAsync(db, """
            UPDATE contacts c SET inbound_cursor = m.last
            FROM (SELECT bot_id, contact_wa_id, max(id) AS last FROM messages WHERE direction = 'inbound' GROUP BY 1, 2) m
            WHERE m.bot_id = c.bot_id AND m.contact_wa_id = c.wa_id;
            """);
        Step("inbound cursors");
        await ExecuteAsync(db, FlowsSql, ("bots", Math.Min(bots, FlowBots)), ("all_bots", (long)bots), ("contacts", contacts), ("messages", messages));
        Step("flows, executions and node events");
        await ExecuteAsync(db, "VACUUM ANALYZE");
        Step("vacuum analyze");
        return watch.Elapsed;
    }

    /// <summary>The flow of bot b has id b and nodes 10b+1 … 10b+5; a bot's contacts are those with <c>g % bots = b - 1</c>.</summary>
    private const string FlowsSql = """
        INSERT INTO flows (id, bot_id, organization_id, name, entry_node_id, node_count, latest_version, created_by, created_at)
        SELECT b, b, ((b - 1) / 10) + 1, 'Bench flow ' || b, b * 10 + 1, 5, 1, 1, now() - interval '91 days' FROM generate_series(1, @bots) b;
        INSERT INTO flow_versions (flow_id, version, definition, published_at, published_by)
        SELECT b, 1, '{}'::jsonb, now() - interval '91 days', 1 FROM generate_series(1, @bots) b;
        WITH picked AS (
        SELECT e.bot, c.id AS contact_id, c.wa_id, e.started, e.nodes, e.status
        FROM (SELECT 1 + (g % @bots) AS bot, now() - random() * interval '90 days' AS started, 1 + (random() * 4)::int AS nodes,
                     (ARRAY['completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'cancelled'])[1 + (random() * 6)::int] AS status,
                     (random() * (@contacts / @all_bots - 1))::bigint AS k
              FROM generate_series(1, @messages / 20) g) e
        JOIN contacts c ON c.bot_id = e.bot AND c.wa_id = '49' || (e.k * @all_bots + e.bot - 1)
        WHERE e.k * @all_bots + e.bot - 1 >= 1
        ), x AS (
            INSERT INTO flow_executions (organization_id, bot_id, flow_id, flow_version, contact_id, contact_wa_id, status, current_node_id,
                                         state, run_started_at, steps_this_run, steps, trigger, log_count, started_at, updated_at, ended_at)
            SELECT ((bot - 1) / 10) + 1, bot, bot, 1, contact_id, wa_id, status, bot * 10 + nodes, '{}'::jsonb, started, 0, nodes,
                   'inbound', 0, started, started + nodes * interval '1 minute', started + nodes * interval '1 minute'
            FROM picked
            RETURNING id, bot_id, contact_wa_id, steps, started_at)
        INSERT INTO contact_events (type, bot_id, organization_id, contact_wa_id, execution_id, flow_id, node_id, occurred_at, data)
        SELECT 'node_entered', x.bot_id, ((x.bot_id - 1) / 10) + 1, x.contact_wa_id, x.id, x.bot_id, x.bot_id * 10 + n,
               x.started_at + (n - 1) * interval '1 minute',
               jsonb_build_object('flow_version', 1, 'node_type', CASE WHEN n = 1 THEN 'start' ELSE 'send_message' END)
        FROM x CROSS JOIN LATERAL generate_series(1, x.steps) n
        ORDER BY x.id, n;
        """;

    private const string MessagesSql = """
        INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, status, status_rank,
                              created_at, client_message_id, sent_at)
        SELECT p.bot, p.organization, p.wa, d.direction,
               CASE WHEN d.direction = 'inbound' THEN 'wamid.bench.' || p.g END,
               p.type,
               CASE WHEN d.direction = 'inbound' THEN 'received' ELSE p.status END,
               CASE WHEN d.direction = 'inbound' THEN 0 ELSE CASE p.status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END END,
               p.at + CASE WHEN d.direction = 'outbound' THEN p.delay ELSE interval '0' END,
               CASE WHEN d.direction = 'outbound' THEN gen_random_uuid() END,
               CASE WHEN d.direction = 'outbound' AND p.status IN ('sent', 'delivered', 'read') THEN p.at + p.delay END
        FROM (
            SELECT s.g, (s.c % @bots) + 1 AS bot, ((s.c % @bots) / 10) + 1 AS organization, '49' || s.c AS wa,
                   now() - random() * interval '90 days' AS at, (random() * 30)::int * interval '1 second' AS delay,
                   (ARRAY['sent', 'delivered', 'delivered', 'read', 'read', 'read', 'failed', 'in_doubt'])[1 + (random() * 7)::int] AS status,
                   (ARRAY['text', 'text', 'text', 'text', 'text', 'text', 'text', 'image', 'template', 'interactive'])[1 + (random() * 9)::int] AS type
            FROM (SELECT g, 1 + (random() * (@contacts - 1))::bigint AS c FROM generate_series(@first, @last) g) s
        ) p
        CROSS JOIN (VALUES ('inbound'), ('outbound')) AS d(direction);
        """;

    /// <summary>Drops the messages' unique constraints and secondary indexes; returns the statements that rebuild them.</summary>
    private static async Task<IReadOnlyList<string>> DropMessageIndexesAsync(NpgsqlDataSource db)
    {
        var rebuild = new List<string>();
        var drop = new List<string>();
        await using (var command = db.CreateCommand("""
            SELECT 'ALTER TABLE messages DROP CONSTRAINT ' || quote_ident(conname), 'ALTER TABLE messages ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE conrelid = 'messages'::regclass AND contype = 'u'
            UNION ALL
            SELECT 'DROP INDEX ' || quote_ident(i.indexname), i.indexdef
            FROM pg_indexes i WHERE i.tablename = 'messages' AND i.schemaname = current_schema() AND i.indexname <> 'messages_pkey'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = 'messages'::regclass AND c.conname = i.indexname)
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                drop.Add(reader.GetString(0));
                rebuild.Add(reader.GetString(1));
            }
        }

        foreach (var ddl in drop)
        {
            await ExecuteAsync(db, ddl);
        }

        return rebuild;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        command.CommandTimeout = 0;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
