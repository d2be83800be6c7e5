-- Automation triggers (issue 12): the triggers of each bot, their logs and statistics.

-- A bot's triggers. The bot's TriggerSetGrain is their only writer and holds the active ones compiled; these rows are
-- its durable state and, at the same time, the query table the lists read (no second copy to drift). Deleting a
-- trigger sets deleted_at: its logs and statistics stay readable by id for the retention period.
CREATE TABLE triggers (
    id                     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id        bigint      NOT NULL REFERENCES organizations (id),
    bot_id                 bigint      NOT NULL REFERENCES bots (id),
    flow_id                bigint      NOT NULL,
    name                   text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description            text        CHECK (length(description) <= 1000),
    trigger_type           text        NOT NULL CHECK (trigger_type IN ('keyword', 'event', 'schedule')),
    is_active              boolean     NOT NULL,
    priority               integer     NOT NULL,
    -- keyword triggers
    keywords               jsonb,
    match_type             text        CHECK (match_type IN ('exact', 'contains', 'starts_with', 'ends_with', 'regex')),
    case_sensitive         boolean     NOT NULL DEFAULT false,
    interrupts_waiting     boolean     NOT NULL DEFAULT false,
    -- event triggers
    event_type             text        CHECK (event_type IN ('new_contact', 'message_received', 'opt_in', 'opt_out', 'flow_completed', 'flow_failed')),
    event_conditions       jsonb,
    -- schedule triggers
    schedule_type          text        CHECK (schedule_type IN ('once', 'daily', 'weekly', 'monthly', 'cron')),
    schedule_time          text,
    schedule_timezone      text,
    schedule_day_of_week   smallint    CHECK (schedule_day_of_week BETWEEN 0 AND 6),
    schedule_day_of_month  smallint    CHECK (schedule_day_of_month BETWEEN 1 AND 31),
    cron_expression        text,
    audience               jsonb,
    created_by             bigint      NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz,
    deleted_at             timestamptz,
    CONSTRAINT triggers_keyword_fields CHECK (trigger_type <> 'keyword' OR (keywords IS NOT NULL AND match_type IS NOT NULL)),
    CONSTRAINT triggers_event_fields CHECK (trigger_type <> 'event' OR event_type IS NOT NULL),
    CONSTRAINT triggers_schedule_fields CHECK (trigger_type <> 'schedule' OR schedule_type IS NOT NULL)
);

CREATE INDEX triggers_bot_idx ON triggers (bot_id, id) WHERE deleted_at IS NULL;
CREATE INDEX triggers_organization_idx ON triggers (organization_id, id) WHERE deleted_at IS NULL;

-- What each trigger did: matched (a message or event met it), started (its flow started for a contact), skipped or
-- failed (why not). source_key names the cause once ('message:<id>', 'event:<id>', 'execution:<id>'), so a retried
-- step or a redelivered event logs (and counts) once. Purged after TRIGGER_LOG_RETENTION_DAYS (90).
CREATE TABLE trigger_logs (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger_id       bigint      NOT NULL,
    bot_id           bigint      NOT NULL,
    organization_id  bigint      NOT NULL,
    event            text        NOT NULL CHECK (event IN ('matched', 'started', 'skipped', 'failed')),
    source_key       text        NOT NULL CHECK (length(source_key) BETWEEN 1 AND 100),
    contact_wa_id    text,
    matched_keyword  text,
    execution_id     bigint,
    detail           text        CHECK (length(detail) <= 1000),
    created_at       timestamptz NOT NULL,
    UNIQUE (trigger_id, event, source_key)
);

CREATE INDEX trigger_logs_trigger_idx ON trigger_logs (trigger_id, id DESC);
CREATE INDEX trigger_logs_created_idx ON trigger_logs (created_at);

-- Counters per trigger, moved by the same statement that inserts the log row they count (never one without the other).
-- Kept when logs are purged: statistics are totals since the trigger was created.
CREATE TABLE trigger_statistics (
    trigger_id       bigint      PRIMARY KEY,
    bot_id           bigint      NOT NULL,
    organization_id  bigint      NOT NULL,
    matched          bigint      NOT NULL DEFAULT 0,
    flows_started    bigint      NOT NULL DEFAULT 0,
    skipped          bigint      NOT NULL DEFAULT 0,
    failed           bigint      NOT NULL DEFAULT 0,
    last_fired_at    timestamptz
);

CREATE INDEX trigger_statistics_organization_idx ON trigger_statistics (organization_id);

-- An execution a trigger started names it: 'keyword:<id>', 'event:<id>' or 'schedule:<id>' (its flow_started event
-- repeats it, which is how the trigger logs learn of the start).
ALTER TABLE flow_executions DROP CONSTRAINT flow_executions_trigger_check;
ALTER TABLE flow_executions ADD CONSTRAINT flow_executions_trigger_check
    CHECK (trigger IN ('api', 'inbound') OR trigger ~ '^(keyword|event|schedule):[1-9][0-9]{0,18}$');
