-- The flow a contact's message starts when no execution is running for that contact (PUT /bots/{bot_id}
-- default_flow_id). The bot grain's state is the source of truth and checks the flow when it is set; this column is
-- its projection. No foreign key: flows already reference bots, and a deleted flow keeps its id here (soft delete).
ALTER TABLE bots
    ADD COLUMN default_flow_id bigint;
