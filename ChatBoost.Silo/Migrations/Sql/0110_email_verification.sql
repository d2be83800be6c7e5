-- E-mail verification. A user's address is verified once they follow a link mailed to it; platform
-- administration (ADMIN_EMAILS) and accepting invitations need a verified address. Only the SHA-256 of a
-- verification token is stored; a token works once (its row is deleted when used) and until expires_at.

ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

CREATE TABLE email_verification_tokens (
    token_sha256  text        PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Registering again while unverified issues a new link; the old ones stay valid until they expire.
CREATE INDEX email_verification_tokens_user_idx ON email_verification_tokens (user_id);
