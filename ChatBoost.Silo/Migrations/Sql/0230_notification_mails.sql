-- Notification e-mails (issue 14): the durable outbox. The inbox grain writes a row in the same transaction as the
-- notification it mails, so a crash never loses a wanted mail; the mailer grain takes due rows under a lease
-- (FOR UPDATE SKIP LOCKED, then lease_token/lease_until), so two activations never take the same row, and marks a row
-- sent only while it still holds the lease. digest: the row waits for the end of its digest period (due_at) and goes out
-- in one mail with the user's other digest rows of that period.
CREATE TABLE notification_mails (
    notification_id  bigint      PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
    user_id          bigint      NOT NULL,
    digest           boolean     NOT NULL,
    due_at           timestamptz NOT NULL,
    state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error       text        CHECK (last_error IS NULL OR length(last_error) <= 500),
    lease_token      uuid,
    lease_until      timestamptz,
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX notification_mails_due_idx ON notification_mails (due_at) WHERE state = 'pending';
CREATE INDEX notification_mails_user_idx ON notification_mails (user_id);
