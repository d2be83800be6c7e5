-- Contact commits are single statements that share a batch (BatchingStatementWriter): a part of a commit that finds
-- its row moved under the contact's fence cannot simply write nothing, or the rest of the statement would stay. This
-- function aborts the statement (and with it the batch, whose units are then retried one by one) with SQLSTATE 40001,
-- which the contact store reads as "fenced". VOLATILE: it is evaluated only when the CASE/coalesce reaches it.
CREATE FUNCTION chatboost_fence_violation(message text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'serialization_failure', MESSAGE = message;
END
$$;
