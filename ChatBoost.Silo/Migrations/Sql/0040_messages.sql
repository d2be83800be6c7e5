-- WhatsApp messages, inbound and outbound: the durable record of the inbound hot path, the outbox of sends,
-- and the history behind GET /whatsapp/messages/{bot_id}. An append-mostly query table, not grain state.
--
-- De-duplication: UNIQUE (bot_id, wa_message_id) is THE durable de-duplication of inbound messages (Meta
-- delivers at least once). wamids are globally unique, so a global key would de-duplicate just as well; the
-- key is scoped to the bot anyway so that one tenant's webhook (several bots may share the environment's app
-- secret) can never make another bot's message look like a duplicate and be dropped, so that a status update
-- can only touch a message of the bot it arrived for, and so that ids invented by a fake Graph API per number
-- cannot collide across bots. Status webhooks always know their bot (metadata.phone_number_id), so every
-- look-up by wamid has bot_id at hand and uses this index. NULL wamids (outbound, not yet sent) never conflict.
--
-- status_rank orders statuses for monotonic updates (see ChatBoost.Grains.WhatsApp.DeliveryStatus):
-- received/queued 0, sent 1, delivered 2, read 3, failed 4 (the MessageDeliveryStatus enum's values).

CREATE TABLE messages (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot_id             bigint      NOT NULL,
    organization_id    bigint      NOT NULL,
    contact_wa_id      text        NOT NULL CHECK (length(contact_wa_id) BETWEEN 1 AND 64),
    direction          text        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    wa_message_id      text        CHECK (length(wa_message_id) BETWEEN 1 AND 256),
    message_type       text        NOT NULL CHECK (length(message_type) BETWEEN 1 AND 64),
    text               text,
    payload            jsonb,
    status             text        NOT NULL,
    status_rank        smallint    NOT NULL,
    error_code         integer,
    error_title        text,
    error_message      text,
    sent_at            timestamptz,
    delivered_at       timestamptz,
    read_at            timestamptz,
    failed_at          timestamptz,
    wa_timestamp       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- The outbox key of an outbound message, assigned by the sender before the call to Meta.
    client_message_id  uuid        UNIQUE,

    CONSTRAINT messages_bot_wamid_key UNIQUE (bot_id, wa_message_id),
    CONSTRAINT messages_status_matches_direction CHECK (
        (direction = 'inbound' AND status = 'received' AND status_rank = 0 AND wa_message_id IS NOT NULL)
        OR (direction = 'outbound' AND client_message_id IS NOT NULL AND (
               (status = 'queued' AND status_rank = 0)
            OR (status = 'sent' AND status_rank = 1)
            OR (status = 'delivered' AND status_rank = 2)
            OR (status = 'read' AND status_rank = 3)
            OR (status = 'failed' AND status_rank = 4))))
);

-- History, newest first, keyset-paged by id: a whole bot, or one conversation.
CREATE INDEX messages_bot_history_idx ON messages (bot_id, id DESC);
CREATE INDEX messages_contact_history_idx ON messages (bot_id, contact_wa_id, id DESC);
