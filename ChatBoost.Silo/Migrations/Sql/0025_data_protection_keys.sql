-- ASP.NET Core Data Protection key ring, shared by every silo (ChatBoost.Grains.Infrastructure.PostgresXmlRepository).
-- One row per XML element the key manager stores: keys ("key-{guid}") and revocations ("revocation-…").
-- Rows are only ever inserted: the key manager never updates or deletes an element.
-- The key material in `xml` is NOT encrypted (no XML encryptor is configured): restrict access to this table
-- separately from the grain state it protects.

CREATE TABLE data_protection_keys (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text        NOT NULL UNIQUE,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
