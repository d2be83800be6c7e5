-- Team management: organization profiles and invitations (projections of the organization grains).

ALTER TABLE organizations
    ADD COLUMN description text CHECK (description IS NULL OR length(description) <= 1000),
    ADD COLUMN updated_at  timestamptz;

CREATE SEQUENCE organization_invitations_id_seq AS bigint;

CREATE TABLE organization_invitations (
    id                bigint      PRIMARY KEY,
    organization_id   bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email_normalized  text        NOT NULL,
    role              text        NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    -- SHA-256 (hex) of the invitation token; the token itself is never stored.
    token_hash        text        NOT NULL UNIQUE,
    status            text        NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    invited_by        bigint      NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    accepted_by       bigint      REFERENCES users (id),
    closed_at         timestamptz
);

CREATE INDEX organization_invitations_org_idx ON organization_invitations (organization_id, status);
