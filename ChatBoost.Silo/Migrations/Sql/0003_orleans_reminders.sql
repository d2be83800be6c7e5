-- 0003: reminder table for AdoNetReminderTable (Microsoft.Orleans.Reminders.AdoNet 10.4.2).
--
-- Contract of the 10.4.2 provider. It loads every OrleansQuery row at start and refuses to
-- start unless all seven keys below exist. Parameters it binds: ServiceId text,
-- GrainId text (GrainId.ToString()), ReminderName text, StartTime (UTC DateTime),
-- Period (milliseconds, int or bigint), GrainHash / BeginHash / EndHash (uint hashes cast
-- to signed int), Version int (the ETag). Reads return GrainId, ReminderName, StartTime,
-- Period, Version by name. Newer upstream columns (cron, priority, next due...) are not
-- sent by 10.4.2 and are not created.

CREATE TABLE IF NOT EXISTS orleansreminderstable
(
    serviceid    text        NOT NULL,
    grainid      text        NOT NULL,
    remindername text        NOT NULL,
    starttime    timestamptz NOT NULL,
    period       bigint      NOT NULL,  -- milliseconds
    grainhash    integer     NOT NULL,  -- GrainId.GetUniformHashCode() reinterpreted as signed
    version      integer     NOT NULL,  -- the ETag; 0 on insert, +1 per upsert

    CONSTRAINT orleansreminderstable_pkey PRIMARY KEY (serviceid, grainid, remindername)
);

-- Each silo periodically reads the reminders whose grain hash falls in its ring range.
CREATE INDEX IF NOT EXISTS orleansreminderstable_serviceid_grainhash
    ON orleansreminderstable (serviceid, grainhash);

INSERT INTO orleansquery (querykey, querytext)
VALUES
-- UpsertReminderRowKey: insert (version 0) or replace the reminder's schedule (version + 1).
-- Returns one row whose Version column becomes the entry's new ETag.
(
    'UpsertReminderRowKey',
    $q$INSERT INTO orleansreminderstable AS r
       (serviceid, grainid, remindername, starttime, period, grainhash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
   SET starttime = EXCLUDED.starttime,
       period    = EXCLUDED.period,
       grainhash = EXCLUDED.grainhash,
       version   = r.version + 1
RETURNING r.version AS "Version"$q$
),
-- ReadReminderRowsKey: all reminders of one grain.
(
    'ReadReminderRowsKey',
    $q$SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
       period AS "Period", version AS "Version"
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId
   AND grainid = @GrainId$q$
),
-- ReadReminderRowKey: one reminder of one grain (zero or one row).
(
    'ReadReminderRowKey',
    $q$SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
       period AS "Period", version AS "Version"
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId
   AND grainid = @GrainId
   AND remindername = @ReminderName$q$
),
-- ReadRangeRows1Key / ReadRangeRows2Key: reminders whose hash lies in the ring range
-- (BeginHash, EndHash] (begin exclusive, end inclusive). Hashes are unsigned on the ring but
-- stored and bound as signed ints; the provider picks Rows1 when (int)begin < (int)end,
-- where the range is one contiguous signed interval, and Rows2 otherwise, where it wraps
-- around the signed order and is the union of the two ends (begin = end is the whole ring).
(
    'ReadRangeRows1Key',
    $q$SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
       period AS "Period", version AS "Version"
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId
   AND grainhash > @BeginHash
   AND grainhash <= @EndHash$q$
),
(
    'ReadRangeRows2Key',
    $q$SELECT grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime",
       period AS "Period", version AS "Version"
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId
   AND (grainhash > @BeginHash OR grainhash <= @EndHash)$q$
),
-- DeleteReminderRowKey: delete the reminder only if its version still equals the ETag.
-- Must return exactly one row with exactly one column: true if a row was deleted.
(
    'DeleteReminderRowKey',
    $q$WITH deleted AS (
    DELETE FROM orleansreminderstable
     WHERE serviceid = @ServiceId
       AND grainid = @GrainId
       AND remindername = @ReminderName
       AND version = @Version
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM deleted) AS "Deleted"$q$
),
-- DeleteReminderRowsKey: delete every reminder of the service (used by tests); no result.
(
    'DeleteReminderRowsKey',
    $q$DELETE FROM orleansreminderstable WHERE serviceid = @ServiceId$q$
)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
