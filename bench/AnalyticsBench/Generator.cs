using System.Diagnostics;
using Npgsql;

namespace ChatBoost.Bench.Analytics;

/// <summary>
/// Fills a scratch database with one user, an organization per 10 bots, the bots, the contacts (created over the last 90
/// days) and the messages: conversations of one inbound message and its reply 0–30 s later, at random times over the last
/// 90 days, types 70 % text / 10 % image / 10 % template / 10 % interactive, reply statuses spread over
/// sent/delivered/read/failed/in_doubt. Set-based SQL (generate_series), one statement per table.
/// </summary>
internal static class Generator
{
    public static async Task<TimeSpan> FillAsync(NpgsqlDataSource db, int bots, long contacts, long messages)
    {
        var watch = Stopwatch.StartNew();
        await ExecuteAsync(db, """
            INSERT INTO users (id, email, email_normalized, password_hash, personal_organization_id)
            VALUES (1, 'bench@bench.test', 'bench@bench.test', 'not-a-hash', 1);
            INSERT INTO organizations (id, name, is_personal, created_by, created_at)
            SELECT g, 'Bench organization ' || g, false, 1, now() FROM generate_series(1, (@bots + 9) / 10) g;
            INSERT INTO bots (id, organization_id, name, is_whatsapp_enabled, created_by, created_at)
            SELECT g, ((g - 1) / 10) + 1, 'Bench bot ' || g, false, 1, now() FROM generate_series(1, @bots) g;
            """, bots, contacts, messages);
        Console.WriteLine($"  organizations and bots: {watch.Elapsed.TotalSeconds:0.0} s");
        await ExecuteAsync(db, """
            INSERT INTO contacts (bot_id, organization_id, wa_id, created_at)
            SELECT (g % @bots) + 1, ((g % @bots) / 10) + 1, '49' || g, now() - random() * interval '90 days'
            FROM generate_series(1, @contacts) g;
            """, bots, contacts, messages);
        Console.WriteLine($"  contacts: {watch.Elapsed.TotalSeconds:0.0} s");
        await ExecuteAsync(db, """
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
                FROM (SELECT g, 1 + (random() * (@contacts - 1))::bigint AS c FROM generate_series(1, @messages / 2) g) s
            ) p
            CROSS JOIN (VALUES ('inbound'), ('outbound')) AS d(direction);
            """, bots, contacts, messages);
        Console.WriteLine($"  messages: {watch.Elapsed.TotalSeconds:0.0} s");
        // Every message counts as consumed (as migration 0080 did for existing history), so the sweeper has nothing to do.
        await ExecuteAsync(db, """
            UPDATE contacts c SET inbound_cursor = m.last
            FROM (SELECT bot_id, contact_wa_id, max(id) AS last FROM messages WHERE direction = 'inbound' GROUP BY 1, 2) m
            WHERE m.bot_id = c.bot_id AND m.contact_wa_id = c.wa_id;
            ANALYZE;
            """, bots, contacts, messages);
        return watch.Elapsed;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, int bots, long contacts, long messages)
    {
        await using var command = db.CreateCommand(sql);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("bots", bots);
        command.Parameters.AddWithValue("contacts", contacts);
        command.Parameters.AddWithValue("messages", messages);
        await command.ExecuteNonQueryAsync();
    }
}
