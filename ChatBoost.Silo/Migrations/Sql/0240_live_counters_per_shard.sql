-- Live counters per outlet shard (issue 10's bench): each of the 16 shard dispatchers adds to its own rows of a bot's
-- (hour, counter, message type), and readers sum the shards. With one row for all shards, every shard's transaction
-- upserted the same few hot rows of a busy bot and waited for the one before it to commit (31 ms a batch at 100
-- conversations/s, holding a pooled connection and its transaction meanwhile); now no two dispatchers write one row.
-- Existing rows become shard 0's: the sums are unchanged.
ALTER TABLE bot_live_counters ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 15);
ALTER TABLE bot_live_counters DROP CONSTRAINT bot_live_counters_pkey;
ALTER TABLE bot_live_counters ADD PRIMARY KEY (bot_id, hour, counter, message_type, shard);
