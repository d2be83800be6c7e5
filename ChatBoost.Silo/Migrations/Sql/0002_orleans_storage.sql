-- 0002: grain state storage for AdoNetGrainStorage (Microsoft.Orleans.Persistence.AdoNet 10.4.2).
--
-- Contract of the 10.4.2 provider (what it binds and what it reads back):
--   Parameters on every query: GrainIdHash int, GrainIdN0 bigint, GrainIdN1 bigint,
--     GrainTypeHash int, GrainTypeString text, GrainIdExtensionString text (NULL when the
--     key has no string part), ServiceId text.
--   Write and clear/delete also bind GrainStateVersion int (the grain's ETag; NULL when the
--     grain believes no row exists). Write also binds PayloadBinary bytea. 10.4.2 sends no
--     PayloadJson/PayloadXml, so those upstream columns are not created.
--   Grain keys map as: integer key -> N0 = 0, N1 = key; Guid key -> N0/N1 = the two halves;
--     string key -> N0 = N1 = 0 and the key itself in GrainIdExtensionString; the string
--     extension of a compound key also goes to GrainIdExtensionString.
--   Version conflict: the provider raises InconsistentStateException when the value it reads
--     back is NULL/empty, equal to the ETag it sent, or missing (no row) while it sent an ETag.
--     Every query below therefore reports "nothing written" as NULL or as no row.

-- One row per grain. The upstream schema only has a non-unique index here, so concurrent
-- first writes could create duplicates; UNIQUE NULLS NOT DISTINCT (PostgreSQL 15+) also
-- treats two NULL extension strings as equal. The derived hash columns lead so the index
-- also serves the lookups below.
CREATE TABLE IF NOT EXISTS orleansstorage
(
    grainidhash            integer     NOT NULL,
    grainidn0              bigint      NOT NULL,
    grainidn1              bigint      NOT NULL,
    graintypehash          integer     NOT NULL,
    graintypestring        text        NOT NULL,
    grainidextensionstring text        NULL,
    serviceid              text        NOT NULL,
    payloadbinary          bytea       NULL,      -- NULL after a clear: the row keeps its version
    modifiedon             timestamptz NOT NULL DEFAULT now(),
    version                integer     NOT NULL,  -- the ETag; starts at 1, +1 per write/clear

    CONSTRAINT orleansstorage_one_row_per_grain UNIQUE NULLS NOT DISTINCT
        (grainidhash, graintypehash, serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring)
);

-- Atomic insert-or-update with optimistic concurrency. Returns the new version, or NULL
-- when nothing was written (which the provider reports as InconsistentStateException):
--   * expected version NULL  -> insert version 1, unless a row already exists (even one
--                               written concurrently: the unique constraint decides);
--   * expected version N     -> update only the row still at version N, to N + 1.
-- A grain holding a version never re-creates a row that disappeared meanwhile.
CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_grainidhash            integer,
    p_grainidn0              bigint,
    p_grainidn1              bigint,
    p_graintypehash          integer,
    p_graintypestring        text,
    p_grainidextensionstring text,
    p_serviceid              text,
    p_expectedversion        integer,
    p_payloadbinary          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_newversion integer;
BEGIN
    IF p_expectedversion IS NULL THEN
        INSERT INTO orleansstorage
            (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
             grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
        VALUES
            (p_grainidhash, p_grainidn0, p_grainidn1, p_graintypehash, p_graintypestring,
             p_grainidextensionstring, p_serviceid, p_payloadbinary, now(), 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO v_newversion;
    ELSE
        UPDATE orleansstorage AS s
           SET payloadbinary = p_payloadbinary,
               modifiedon    = now(),
               version       = s.version + 1
         WHERE s.grainidhash = p_grainidhash
           AND s.graintypehash = p_graintypehash
           AND s.serviceid = p_serviceid
           AND s.graintypestring = p_graintypestring
           AND s.grainidn0 = p_grainidn0
           AND s.grainidn1 = p_grainidn1
           AND s.grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
           AND s.version = p_expectedversion
        RETURNING s.version INTO v_newversion;
    END IF;

    RETURN v_newversion;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext)
VALUES
-- WriteToStorageKey: one row, column NewGrainStateVersion = new version, NULL on conflict.
(
    'WriteToStorageKey',
    $q$SELECT orleans_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
       @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion"$q$
),
-- ReadFromStorageKey: zero rows (never written) or one row with PayloadBinary (NULL after a
-- clear, which the provider reports as RecordExists = false) and Version (the ETag).
(
    'ReadFromStorageKey',
    $q$SELECT payloadbinary AS "PayloadBinary", version AS "Version"
  FROM orleansstorage
 WHERE grainidhash = @GrainIdHash
   AND graintypehash = @GrainTypeHash
   AND serviceid = @ServiceId
   AND graintypestring = @GrainTypeString
   AND grainidn0 = @GrainIdN0
   AND grainidn1 = @GrainIdN1
   AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString$q$
),
-- ClearStorageKey (default, DeleteStateOnClear = false): drop the payload but keep the row
-- and bump its version, so the grain's next write still goes through the version check.
-- First column = new version; no row when the version is stale.
(
    'ClearStorageKey',
    $q$UPDATE orleansstorage
   SET payloadbinary = NULL,
       modifiedon    = now(),
       version       = version + 1
 WHERE grainidhash = @GrainIdHash
   AND graintypehash = @GrainTypeHash
   AND serviceid = @ServiceId
   AND graintypestring = @GrainTypeString
   AND grainidn0 = @GrainIdN0
   AND grainidn1 = @GrainIdN1
   AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING version AS "NewGrainStateVersion"$q$
),
-- DeleteStorageKey (only with DeleteStateOnClear = true; 10.4.2 loads it optionally and
-- refuses to start with that option when it is missing): delete the row if still at the
-- expected version. First column must differ from the sent ETag, so it is version + 1; no
-- row when stale. The provider then resets the grain's ETag to NULL.
(
    'DeleteStorageKey',
    $q$DELETE FROM orleansstorage
 WHERE grainidhash = @GrainIdHash
   AND graintypehash = @GrainTypeHash
   AND serviceid = @ServiceId
   AND graintypestring = @GrainTypeString
   AND grainidn0 = @GrainIdN0
   AND grainidn1 = @GrainIdN1
   AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING version + 1 AS "NewGrainStateVersion"$q$
)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
