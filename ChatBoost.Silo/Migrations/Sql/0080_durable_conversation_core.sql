-- The durable conversation core (issue 10): what the contact grain has consumed, the fence against a second
-- activation, and the one event outlet every module subscribes to.

-- The inbound cursor: the last messages.id (inbound, this contact) the engine has consumed, advanced in the same
-- transaction as the step the message caused. Messages after it are the contact's durable work queue.
-- version: the contact grain's fence. Every commit of the grain is conditional on the version it loaded and bumps it,
-- so a second activation of the same contact (membership churn, a partition) cannot commit anything once the first has.
ALTER TABLE contacts
    ADD COLUMN inbound_cursor bigint NOT NULL DEFAULT 0,
    ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN first_name text CHECK (length(first_name) <= 128),
    ADD COLUMN last_name text CHECK (length(last_name) <= 128),
    ADD COLUMN username text CHECK (length(username) <= 128),
    -- Meta's business-scoped user id (BSUID), when Meta sent one.
    ADD COLUMN bsuid text CHECK (length(bsuid) BETWEEN 1 AND 135);

-- A contact's key (wa_id) is its phone number's digits or, for a user whose number Meta withholds, its BSUID (up to 135
-- characters: country, '.', an optional 'ENT.', 128 letters and digits).
ALTER TABLE contacts DROP CONSTRAINT contacts_wa_id_check,
    ADD CONSTRAINT contacts_wa_id_check CHECK (length(wa_id) BETWEEN 1 AND 135);
ALTER TABLE messages DROP CONSTRAINT messages_contact_wa_id_check,
    ADD CONSTRAINT messages_contact_wa_id_check CHECK (length(contact_wa_id) BETWEEN 1 AND 135);

-- Which contact a BSUID belongs to, per bot: the key the contact was first seen with (its phone number when Meta sent one,
-- else the BSUID itself), so a user is one contact whether a message names their number, their BSUID or both.
CREATE TABLE contact_identities (
    bot_id      bigint      NOT NULL,
    bsuid       text        NOT NULL CHECK (length(bsuid) BETWEEN 1 AND 135),
    wa_id       text        NOT NULL CHECK (length(wa_id) BETWEEN 1 AND 135),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, bsuid)
);

-- What existed before the cursor was consumed the old way: start every contact after its newest inbound message, so a
-- database with history is not re-processed.
UPDATE contacts c SET inbound_cursor = coalesce((
    SELECT max(m.id) FROM messages m
    WHERE m.bot_id = c.bot_id AND m.contact_wa_id = c.wa_id AND m.direction = 'inbound'), 0);

-- Executions are fenced too: a step's UPDATE is conditional on the version it read.
ALTER TABLE flow_executions
    ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- What the consumer needs of an inbound message, read back from its row (the row, not memory, is the work item): the
-- id of the reply button or list row it chose (what a wait-for-reply stores) and the sender's WhatsApp profile name.
ALTER TABLE messages
    ADD COLUMN reply_id text CHECK (length(reply_id) <= 256),
    ADD COLUMN profile_name text CHECK (length(profile_name) <= 256),
    ADD COLUMN from_user_id text CHECK (length(from_user_id) <= 135),
    ADD COLUMN username text CHECK (length(username) <= 128);

-- The consumer reads "this contact's inbound messages after the cursor, in order".
CREATE INDEX messages_contact_inbound_idx ON messages (bot_id, contact_wa_id, id) WHERE direction = 'inbound';

-- The event outlet (transactional outbox): each writer — the contact grain's commit, the outbound sender, the status
-- writer — inserts its domain events in the same transaction as the change they describe, so an event exists exactly
-- when its change committed. tx is the writing transaction's id: the dispatcher reads only events of transactions older
-- than every transaction still running (pg_snapshot_xmin), in (tx, id) order, so an event whose identity value is
-- lower but whose transaction commits later is never skipped. shard splits the contacts (all events of one contact in
-- one shard, so they are delivered in order) between the dispatchers that the silos run.
-- The shard of a contact: 16 shards, each dispatched by one grain (changing the count is a migration).
CREATE FUNCTION contact_event_shard(bot bigint, wa text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (((hashtextextended(bot::text || '/' || wa, 0) % 16) + 16) % 16)::smallint $$;

CREATE TABLE contact_events (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx               xid8        NOT NULL DEFAULT pg_current_xact_id(),
    shard            smallint    GENERATED ALWAYS AS (contact_event_shard(bot_id, contact_wa_id)) STORED,
    type             text        NOT NULL CHECK (type IN (
                         'contact_created', 'message_received', 'message_sent', 'message_status', 'opted_in', 'opted_out',
                         'flow_started', 'node_entered', 'flow_completed', 'flow_failed')),
    bot_id           bigint      NOT NULL,
    organization_id  bigint      NOT NULL,
    contact_wa_id    text        NOT NULL,
    contact_id       bigint,
    message_id       bigint,
    execution_id     bigint,
    flow_id          bigint,
    node_id          bigint,
    occurred_at      timestamptz NOT NULL,
    -- Type-specific fields (message type, status, error code, node type, trigger…), small.
    data             jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX contact_events_dispatch_idx ON contact_events (shard, tx, id);
CREATE INDEX contact_events_occurred_idx ON contact_events (occurred_at);

-- How far each subscriber got in each shard; written in the same transaction as the subscriber's own effect when the
-- subscriber's effect is in PostgreSQL (exactly once), otherwise after it (at least once, idempotent by event id).
CREATE TABLE contact_event_positions (
    subscriber   text        NOT NULL CHECK (length(subscriber) BETWEEN 1 AND 64),
    shard        smallint    NOT NULL,
    last_tx      xid8        NOT NULL,
    last_id      bigint      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscriber, shard)
);
