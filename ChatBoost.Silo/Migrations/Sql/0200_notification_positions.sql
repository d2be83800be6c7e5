-- Notifications (issue 14): a stream position per change, so a reconnect with after= also gets the coalesced updates of
-- notifications it already saw. An insert's position is its id (a BEFORE INSERT trigger copies it); a coalesced update
-- takes a new value of the same sequence (nextval of the id's sequence), above every id and position handed out before.
-- One writer per user (the inbox grain, one transaction at a time) makes a user's positions grow in commit order, the
-- same argument as for the ids: "every row of the user with a position above P" is everything that changed after P.
ALTER TABLE notifications ADD COLUMN position bigint;
UPDATE notifications SET position = id;
ALTER TABLE notifications ALTER COLUMN position SET NOT NULL;

CREATE FUNCTION notifications_position_from_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.position IS NULL THEN
        NEW.position := NEW.id;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER notifications_position BEFORE INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_position_from_id();

CREATE INDEX notifications_user_position_idx ON notifications (user_id, position);
