-- Notifications (issue 14): each user's inbox, what was already delivered to it, platform announcements, contact notes.

-- One row per notification of one user. Written only by that user's NotificationInboxGrain (one writer per user, one
-- transaction at a time), so a user's ids grow in commit order: a reconnecting WebSocket asks for "id > the last I saw"
-- and misses nothing. title is the base title (a coalesced burst shows "(count)" after it); event says what happened
-- within the type (failed, completed, invited, …). Rows older than the retention (NOTIFICATION_RETENTION_DAYS, 90) are
-- never read and are deleted by the inbox.
CREATE TABLE notifications (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint      NOT NULL,
    type             text        NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
    event            text        NOT NULL DEFAULT '' CHECK (length(event) <= 64),
    title            text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body             text        NOT NULL CHECK (length(body) <= 4000),
    organization_id  bigint,
    bot_id           bigint,
    contact_id       bigint,
    execution_id     bigint,
    message_id       bigint,
    count            integer     NOT NULL DEFAULT 1 CHECK (count >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    read_at          timestamptz
);

CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_user_type_idx ON notifications (user_id, type, id);

-- The sources (outlet event, announcement, invitation, note, …) already delivered to a user: the idempotency of an
-- at-least-once delivery. Claimed in the transaction that stores the notification, so a redelivered source is skipped,
-- and a source a user's preferences declined is not reconsidered. Kept as long as the notifications.
CREATE TABLE notification_sources (
    user_id     bigint      NOT NULL,
    source      text        NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, source)
);

CREATE INDEX notification_sources_created_idx ON notification_sources (user_id, created_at);

-- Platform administrators' announcements (to everyone when organization_id is null).
CREATE TABLE notification_announcements (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint,
    title            text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body             text        NOT NULL CHECK (length(body) <= 4000),
    created_by       bigint      NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Notes team members write on a contact; mentioned_user_ids are the fellow members the note's @email mentions reached.
CREATE TABLE contact_notes (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id          bigint      NOT NULL REFERENCES contacts (id),
    bot_id              bigint      NOT NULL,
    organization_id     bigint      NOT NULL,
    author_user_id      bigint      NOT NULL,
    text                text        NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    mentioned_user_ids  bigint[]    NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX contact_notes_contact_idx ON contact_notes (contact_id, id);
