-- Webhook verification (GET /whatsapp/webhook): a bot's verify token is found by its SHA-256 (lowercase hex), so
-- the token itself is never stored in clear nor compared in clear. Written by BotProjection; NULL when the bot has no
-- verify token of its own. Bots projected before this migration get it on their next activation.
ALTER TABLE bots ADD COLUMN whatsapp_webhook_verify_token_sha256 text
    CHECK (whatsapp_webhook_verify_token_sha256 ~ '^[0-9a-f]{64}$');

CREATE INDEX bots_live_verify_token_sha256_idx ON bots (whatsapp_webhook_verify_token_sha256)
    WHERE deleted_at IS NULL AND whatsapp_webhook_verify_token_sha256 IS NOT NULL;
