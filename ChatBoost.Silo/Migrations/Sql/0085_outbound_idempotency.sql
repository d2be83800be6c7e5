-- Outbound idempotency and early statuses (issue 10, scope 3 and 4). See ChatBoost.Grains/WhatsApp/Outbound.
--
-- The outbox row of a send moves queued → sending → sent | failed | in_doubt (OutboxStateMachine):
--   queued    recorded, nothing attempted yet (waiting for its pacing slot, or abandoned by a caller that died);
--   sending   marked just BEFORE the HTTP attempt: found at the start of a later call, the attempt was in flight
--             when its caller died, so its outcome is unknown;
--   in_doubt  an attempt whose outcome is unknown (a timeout, a reset after the request was written, a 2xx without
--             messages[0].id, or a `sending` row found later). Never resent; resolved to `sent` when the wamid becomes
--             known (a status webhook carrying our client id in biz_opaque_callback_data, or the late answer).
--
-- Ranks: sending and in_doubt share rank 0 with queued. status_rank is "what Meta has reported" for the monotonic rule
-- of MessageStatusWriter (DeliveryStatus.ShouldApply): 0 means "nothing reported yet", so any report (sent, delivered,
-- read, failed) advances over all three, and none of Meta's reports can move a row back into them. Ranks 1..4 keep
-- their meaning, so the rule's SQL (`failed` only over rank <= 1, otherwise rank < incoming) stays right unchanged.
-- The three rank-0 states are told apart by `status`, which only the sender and the reconciler move (conditional
-- UPDATEs from the states the state machine allows).
ALTER TABLE messages DROP CONSTRAINT messages_status_matches_direction;
ALTER TABLE messages ADD CONSTRAINT messages_status_matches_direction CHECK (
    (direction = 'inbound' AND status = 'received' AND status_rank = 0 AND wa_message_id IS NOT NULL)
    OR (direction = 'outbound' AND client_message_id IS NOT NULL AND (
           (status IN ('queued', 'sending', 'in_doubt') AND status_rank = 0)
        OR (status = 'sent' AND status_rank = 1)
        OR (status = 'delivered' AND status_rank = 2)
        OR (status = 'read' AND status_rank = 3)
        OR (status = 'failed' AND status_rank = 4))));

-- The flow execution a send belongs to (NULL: an API send). The reconciler gives up on API sends still queued; a
-- flow send's queued row is its execution's business (the execution's recovery sends it with the same client id).
-- status_changed_at: when the sender or the reconciler last moved the row (the reconciler's age bound).
ALTER TABLE messages
    ADD COLUMN execution_id bigint,
    ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now();

-- The reconciler's scan: the few rows still before Meta's answer.
CREATE INDEX messages_outbox_pending_idx ON messages (status, status_changed_at)
    WHERE direction = 'outbound' AND status IN ('queued', 'sending');

-- The webhook's resolution of an in-doubt send by its callback data: bot + client id of a row without wamid.
CREATE INDEX messages_outbox_unresolved_idx ON messages (bot_id, client_message_id)
    WHERE direction = 'outbound' AND status IN ('sending', 'in_doubt');

-- Statuses that arrived before their wamid was stored (the send's answer not yet recorded): kept, applied when the
-- sender marks the row sent with that wamid, purged after a TTL (OutboundOptions.EarlyStatusTtl) by the reconciler.
CREATE TABLE early_statuses (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot_id         bigint      NOT NULL,
    wa_message_id  text        NOT NULL CHECK (length(wa_message_id) BETWEEN 1 AND 256),
    status         text        NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'failed')),
    status_rank    smallint    NOT NULL CHECK (status_rank BETWEEN 1 AND 4),
    occurred_at    timestamptz NOT NULL,
    error_code     integer,
    error_title    text,
    error_message  text,
    received_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX early_statuses_wamid_idx ON early_statuses (bot_id, wa_message_id);
CREATE INDEX early_statuses_received_idx ON early_statuses (received_at);
