-- 0001: the query catalogue read by Orleans' ADO.NET providers (Microsoft.Orleans.*.AdoNet 10.4.2).
--
-- The providers ship no SQL. At silo start they run
--     SELECT QueryKey, QueryText FROM OrleansQuery [WHERE QueryKey = ...]
-- and later execute QueryText with named parameters (@Name). The unquoted identifiers in
-- that statement fold to lower case, so lower-case unquoted names here match it; the
-- providers look result columns up by name, and Npgsql falls back to a case-insensitive
-- match, so "querykey" satisfies GetOrdinal("QueryKey").
--
-- Later migrations upsert their query texts with ON CONFLICT (querykey) DO UPDATE, so a
-- re-run (or a corrected text in a new migration) never fails on a duplicate key.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,

    CONSTRAINT orleansquery_pkey PRIMARY KEY (querykey)
);
