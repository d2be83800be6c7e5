-- Schedule triggers firing from reminders, and durable broadcast runs (issue 12, items 4 and 5).

-- The clock of one schedule trigger, written only by its TriggerScheduleGrain. counts_from: occurrences at or before it
-- are not due (the moment the trigger became active, then each check's time: everything up to a check has been run or
-- counted as missed). missed: occurrences older than the catch-up grace that never ran, since the trigger was created.
CREATE TABLE trigger_schedules (
    trigger_id       bigint      PRIMARY KEY REFERENCES triggers (id),
    bot_id           bigint      NOT NULL,
    active           boolean     NOT NULL,
    counts_from      timestamptz,
    last_occurrence  timestamptz,
    last_run_id      bigint,
    missed           bigint      NOT NULL DEFAULT 0,
    next_due         timestamptz,
    updated_at       timestamptz NOT NULL
);

-- One run of a schedule trigger's flow for its audience, written only by its TriggerRunGrain (and created by the
-- schedule grain or the API's run-now). cursor: the highest contact id decided; the walk goes on after it. An
-- occurrence runs once: (trigger_id, occurrence) is unique, so a tick delivered twice, or retried after a crash between
-- the run's insert and the schedule's update, finds the run it made.
CREATE TABLE trigger_runs (
    id                       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger_id               bigint      NOT NULL REFERENCES triggers (id),
    bot_id                   bigint      NOT NULL,
    organization_id          bigint      NOT NULL,
    flow_id                  bigint      NOT NULL,
    audience                 jsonb,
    source                   text        NOT NULL CHECK (source IN ('schedule', 'catch_up', 'manual')),
    occurrence               timestamptz,
    status                   text        NOT NULL CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
    cursor_contact_id        bigint      NOT NULL DEFAULT 0,
    total                    bigint,
    requested_by             bigint,
    created_at               timestamptz NOT NULL,
    finished_at              timestamptz,
    detail                   text        CHECK (length(detail) <= 1000)
);

CREATE UNIQUE INDEX trigger_runs_occurrence_key ON trigger_runs (trigger_id, occurrence) WHERE occurrence IS NOT NULL;
CREATE INDEX trigger_runs_trigger_idx ON trigger_runs (trigger_id, id DESC);
CREATE INDEX trigger_runs_running_idx ON trigger_runs (id) WHERE status = 'running';

-- What the run decided for each contact it walked past, written in the same transaction as the cursor that passes it.
-- outcome: started (execution_id: the execution with start key 'broadcast:<run>:<contact>'), or skipped_<reason>.
CREATE TABLE trigger_run_recipients (
    run_id        bigint      NOT NULL REFERENCES trigger_runs (id),
    contact_id    bigint      NOT NULL,
    wa_id         text        NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('started', 'skipped_opted_out', 'skipped_outside_window',
                                                          'skipped_active_execution', 'skipped_no_contact', 'failed')),
    execution_id  bigint,
    detail        text        CHECK (length(detail) <= 1000),
    decided_at    timestamptz NOT NULL,
    PRIMARY KEY (run_id, contact_id)
);
