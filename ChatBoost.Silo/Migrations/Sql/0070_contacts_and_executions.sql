-- The flow engine's records: contacts with typed attributes, flow executions and their step logs.
--
-- These rows ARE the contact grain's durable state, not a projection of it: the grain loads its contact, attributes
-- and active execution from them on activation and writes them in one transaction before each external side effect
-- (a send, a webhook call). One write is then both the state and the query table: no dual write, no drift, and lists,
-- searches and logs read the same rows without activating a grain per row.

CREATE TABLE contacts (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot_id             bigint      NOT NULL REFERENCES bots (id),
    organization_id    bigint      NOT NULL REFERENCES organizations (id),
    wa_id              text        NOT NULL CHECK (length(wa_id) BETWEEN 1 AND 64),
    name               text        CHECK (length(name) <= 256),
    opted_in           boolean     NOT NULL DEFAULT true,
    opted_changed_at   timestamptz,
    -- Refreshed at most once a minute by the grain (the exact time is in messages); for lists only.
    last_inbound_at    timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz,
    CONSTRAINT contacts_bot_wa_id_key UNIQUE (bot_id, wa_id)
);

CREATE INDEX contacts_organization_idx ON contacts (organization_id, id DESC);
CREATE INDEX contacts_bot_idx ON contacts (bot_id, id DESC);

-- value is the canonical text of the typed value; the typed columns serve typed search.
CREATE TABLE contact_attributes (
    contact_id     bigint           NOT NULL REFERENCES contacts (id),
    key            text             NOT NULL CHECK (key ~ '^[A-Za-z0-9_.-]{1,64}$'),
    value_type     text             NOT NULL CHECK (value_type IN ('string', 'number', 'boolean', 'json')),
    value          text             NOT NULL CHECK (length(value) <= 4096),
    number_value   double precision,
    boolean_value  boolean,
    json_value     jsonb,
    created_at     timestamptz      NOT NULL,
    updated_at     timestamptz,
    PRIMARY KEY (contact_id, key),
    CONSTRAINT contact_attributes_typed_column CHECK (
        (value_type = 'number') = (number_value IS NOT NULL)
        AND (value_type = 'boolean') = (boolean_value IS NOT NULL)
        AND (value_type = 'json') = (json_value IS NOT NULL))
);

-- Typed search (GET /contacts/search/by-attribute): one partial index per type. Strings and JSON values may be larger
-- than a btree entry allows (2704 bytes), so their equality indexes are hash indexes (no size limit; jsonb equality
-- still treats 25 and 25.0 alike).
CREATE INDEX contact_attributes_string_idx ON contact_attributes USING hash (value) WHERE value_type = 'string';
CREATE INDEX contact_attributes_number_idx ON contact_attributes (key, number_value) WHERE value_type = 'number';
CREATE INDEX contact_attributes_boolean_idx ON contact_attributes (key, boolean_value) WHERE value_type = 'boolean';
CREATE INDEX contact_attributes_json_idx ON contact_attributes USING hash (json_value) WHERE value_type = 'json';

CREATE TABLE flow_executions (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id   bigint      NOT NULL REFERENCES organizations (id),
    bot_id            bigint      NOT NULL REFERENCES bots (id),
    flow_id           bigint      NOT NULL,
    flow_version      integer     NOT NULL,
    contact_id        bigint      NOT NULL REFERENCES contacts (id),
    contact_wa_id     text        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('running', 'waiting', 'waiting_for_reply', 'completed', 'failed', 'cancelled')),
    current_node_id   bigint,
    -- The state variables (a JSON object) and the interpreter's bookkeeping.
    state             jsonb       NOT NULL,
    wake_at           timestamptz,
    pending_effect    text        CHECK (pending_effect IN ('send', 'webhook')),
    run_started_at    timestamptz NOT NULL,
    steps_this_run    integer     NOT NULL,
    steps             integer     NOT NULL,
    error             text,
    trigger           text        NOT NULL CHECK (trigger IN ('api', 'inbound')),
    started_by        bigint,
    log_count         integer     NOT NULL,
    started_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    ended_at          timestamptz,
    FOREIGN KEY (flow_id, flow_version) REFERENCES flow_versions (flow_id, version),
    CONSTRAINT flow_executions_wake_at CHECK ((status IN ('waiting', 'waiting_for_reply')) = (wake_at IS NOT NULL)),
    CONSTRAINT flow_executions_ended CHECK ((status IN ('completed', 'failed', 'cancelled')) = (ended_at IS NOT NULL))
);

-- At most one active execution per contact: a burst of messages can never start a flow twice, whichever silo or
-- activation asks.
CREATE UNIQUE INDEX flow_executions_one_active_key ON flow_executions (bot_id, contact_wa_id)
    WHERE status IN ('running', 'waiting', 'waiting_for_reply');
CREATE INDEX flow_executions_contact_idx ON flow_executions (contact_wa_id, id DESC);
CREATE INDEX flow_executions_organization_idx ON flow_executions (organization_id, flow_id, status);

CREATE TABLE flow_execution_logs (
    execution_id  bigint      NOT NULL REFERENCES flow_executions (id),
    seq           integer     NOT NULL CHECK (seq > 0),
    node_id       bigint,
    node_type     text,
    event         text        NOT NULL,
    level         text        NOT NULL CHECK (level IN ('info', 'warning', 'error')),
    detail        text        NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (execution_id, seq)
);
