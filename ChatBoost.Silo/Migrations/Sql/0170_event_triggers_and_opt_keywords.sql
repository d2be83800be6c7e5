-- Event triggers and per-bot opt keywords (issue 12).

-- The deterministic key of an execution started by automation: an event trigger writes 'event:<trigger id>:<event id>'.
-- The outlet delivers to the event-trigger subscriber at least once; the unique index makes the start itself exactly once
-- (a redelivered event's start conflicts and is answered "already started"), because the key is written in the contact's
-- commit that inserts the execution. NULL for everything else (API, inbound, keyword triggers).
ALTER TABLE flow_executions ADD COLUMN start_key text CHECK (length(start_key) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX flow_executions_start_key ON flow_executions (start_key) WHERE start_key IS NOT NULL;

-- A bot's own opt-out / opt-in keywords. No row, or a NULL list: the defaults (STOP, UNSUBSCRIBE, END, QUIT, CANCEL,
-- OPTOUT / START, UNSTOP). Written only by the bot's TriggerSetGrain, which holds them in memory.
CREATE TABLE bot_opt_keywords (
    bot_id            bigint      PRIMARY KEY REFERENCES bots (id),
    organization_id   bigint      NOT NULL,
    opt_out_keywords  jsonb       CHECK (jsonb_typeof(opt_out_keywords) = 'array'),
    opt_in_keywords   jsonb       CHECK (jsonb_typeof(opt_in_keywords) = 'array'),
    updated_at        timestamptz NOT NULL
);
