-- The event outlet's first subscriber (per-bot live counters) and the sweeper's search structures (issue 10).

-- Per bot and UTC hour, how many of each fact the outlet delivered. One row per (bot, hour, counter, message type):
-- counter is one of ChatBoost.Grains.Analytics.LiveCounterNames (messages_received, messages_sent, statuses_sent,
-- statuses_delivered, statuses_read, statuses_failed, sends_in_doubt, executions_started, executions_completed,
-- executions_failed, contacts_created, opt_ins, opt_outs); message_type splits messages_received and messages_sent by
-- WhatsApp message type and is '' for the other counters. Upserted (count = count + delta) by the live-counters
-- subscriber in the same transaction as its position in contact_event_positions, so a crash never counts an event
-- twice or loses one. A narrow table so that a new counter is a new name, not a migration.
CREATE TABLE bot_live_counters (
    bot_id           bigint      NOT NULL,
    organization_id  bigint      NOT NULL,
    hour             timestamptz NOT NULL CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC'),
    counter          text        NOT NULL CHECK (length(counter) BETWEEN 1 AND 64),
    message_type     text        NOT NULL DEFAULT '' CHECK (length(message_type) <= 64),
    count            bigint      NOT NULL CHECK (count >= 0),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, hour, counter, message_type)
);

CREATE INDEX bot_live_counters_organization_idx ON bot_live_counters (organization_id, hour);

-- The sweeper's lagging-cursor search. Scanning every contact (or every inbound message) of a shard on each sweep grows
-- with the whole history; instead each shard keeps a watermark: every inbound message of the shard with an id up to it
-- has been seen consumed (its contact's inbound_cursor >= id). A sweep reads only the inbound messages after the
-- watermark (a few seconds' worth in steady state) through the expression index below, joins their contacts, pokes the
-- laggards and moves the watermark over the consumed prefix. It moves only over messages older than a settle bound,
-- so a message whose lower id commits later than a higher one (concurrent inserts) is not jumped over. An expression
-- index rather than a stored generated column: adding a stored column rewrites the whole messages table; the index is
-- built beside it. Same shard function as contact_events, so one shard's sweeper and dispatcher see the same contacts.
CREATE INDEX messages_inbound_shard_idx ON messages (contact_event_shard(bot_id, contact_wa_id), id)
    WHERE direction = 'inbound';

CREATE TABLE contact_sweep_watermarks (
    shard                smallint    PRIMARY KEY CHECK (shard BETWEEN 0 AND 15),
    verified_message_id  bigint      NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Executions the sweeper looks for: running with a stale update, waiting past their wake time. Both partial (active
-- executions are few next to ended ones) and led by the shard.
CREATE INDEX flow_executions_running_sweep_idx ON flow_executions (contact_event_shard(bot_id, contact_wa_id), updated_at)
    WHERE status = 'running';
CREATE INDEX flow_executions_waiting_sweep_idx ON flow_executions (contact_event_shard(bot_id, contact_wa_id), wake_at)
    WHERE status IN ('waiting', 'waiting_for_reply');
