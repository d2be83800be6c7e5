-- The bot list shows whether Meta refused a bot's access token (error 190), like the bot itself does.
ALTER TABLE bots
    ADD COLUMN credentials_invalid        boolean     NOT NULL DEFAULT false,
    ADD COLUMN credentials_invalid_reason text,
    ADD COLUMN credentials_invalid_at     timestamptz;
