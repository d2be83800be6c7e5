-- Bot builder: bots, flows, their nodes, published flow versions and flow templates.
-- bots, flows and flow_nodes are projections of the bot and flow grains' state (rewritten idempotently by
-- the grains); flow_versions and flow_templates are the records themselves (grain state stays bounded).
-- Deleting a bot or flow is soft (deleted_at): rows and published versions stay, for history and for
-- executions already running on a pinned version.

CREATE SEQUENCE bots_id_seq AS bigint;
CREATE SEQUENCE flows_id_seq AS bigint;
CREATE SEQUENCE flow_nodes_id_seq AS bigint;
CREATE SEQUENCE flow_templates_id_seq AS bigint;

CREATE TABLE bots (
    id                                bigint      PRIMARY KEY,
    organization_id                   bigint      NOT NULL REFERENCES organizations (id),
    name                              text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description                       text        CHECK (description IS NULL OR length(description) <= 1000),
    is_whatsapp_enabled               boolean     NOT NULL,
    whatsapp_phone_number_id          text,
    whatsapp_business_account_id      text,
    -- Secrets are never in this table: only whether one is set and at most its last four characters.
    has_whatsapp_access_token         boolean     NOT NULL DEFAULT false,
    whatsapp_access_token_last4       text        CHECK (length(whatsapp_access_token_last4) <= 4),
    has_whatsapp_app_secret           boolean     NOT NULL DEFAULT false,
    whatsapp_app_secret_last4         text        CHECK (length(whatsapp_app_secret_last4) <= 4),
    has_whatsapp_webhook_verify_token boolean     NOT NULL DEFAULT false,
    whatsapp_webhook_verify_token_last4 text      CHECK (length(whatsapp_webhook_verify_token_last4) <= 4),
    created_by                        bigint      NOT NULL,
    created_at                        timestamptz NOT NULL,
    updated_at                        timestamptz,
    deleted_at                        timestamptz
);

-- A phone number id belongs to at most one live bot. The bot grain claims its number here before it
-- writes its state; a deleted bot's row no longer counts, so its number is free again.
CREATE UNIQUE INDEX bots_live_phone_number_key ON bots (whatsapp_phone_number_id)
    WHERE deleted_at IS NULL AND whatsapp_phone_number_id IS NOT NULL;
CREATE INDEX bots_organization_idx ON bots (organization_id, id) WHERE deleted_at IS NULL;

CREATE TABLE flows (
    id               bigint      PRIMARY KEY,
    bot_id           bigint      NOT NULL REFERENCES bots (id),
    organization_id  bigint      NOT NULL REFERENCES organizations (id),
    name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description      text        CHECK (description IS NULL OR length(description) <= 1000),
    entry_node_id    bigint,
    node_count       integer     NOT NULL,
    latest_version   integer,
    created_by       bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz,
    deleted_at       timestamptz
);

CREATE INDEX flows_bot_idx ON flows (bot_id, id) WHERE deleted_at IS NULL;
CREATE INDEX flows_organization_idx ON flows (organization_id, id) WHERE deleted_at IS NULL;

-- Which flow a node id belongs to (nodes of the draft; a node deleted from the draft loses its row).
CREATE TABLE flow_nodes (
    node_id          bigint PRIMARY KEY,
    flow_id          bigint NOT NULL REFERENCES flows (id),
    bot_id           bigint NOT NULL,
    organization_id  bigint NOT NULL
);

CREATE INDEX flow_nodes_flow_idx ON flow_nodes (flow_id);

-- Published versions: immutable snapshots of a flow's draft, {"entry_node_id": …, "nodes": [{id, type, name, config}]}.
CREATE TABLE flow_versions (
    flow_id       bigint      NOT NULL REFERENCES flows (id),
    version       integer     NOT NULL CHECK (version > 0),
    definition    jsonb       NOT NULL,
    published_at  timestamptz NOT NULL,
    published_by  bigint      NOT NULL,
    PRIMARY KEY (flow_id, version)
);

CREATE FUNCTION flow_versions_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'flow_versions rows are immutable (flow %, version %)', OLD.flow_id, OLD.version;
END;
$$;

CREATE TRIGGER flow_versions_no_update BEFORE UPDATE ON flow_versions
    FOR EACH ROW EXECUTE FUNCTION flow_versions_are_immutable();

-- Reusable flow graphs of an organization. Node ids inside a template are local keys; instantiating the
-- template gives every node a fresh id from flow_nodes_id_seq and remaps the references.
CREATE TABLE flow_templates (
    id               bigint      PRIMARY KEY,
    organization_id  bigint      NOT NULL REFERENCES organizations (id),
    name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description      text        CHECK (description IS NULL OR length(description) <= 1000),
    definition       jsonb       NOT NULL,
    node_count       integer     NOT NULL,
    created_by       bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    deleted_at       timestamptz
);

CREATE INDEX flow_templates_organization_idx ON flow_templates (organization_id, id) WHERE deleted_at IS NULL;
