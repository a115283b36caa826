-- Issue 14: authentications are cached in memory (auth.Service.Run). Every
-- change that can make a token act differently or not at all tells the
-- processes to forget what they cached, when its transaction commits.
-- Recording a token's last use is not such a change.
CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lms_auth_changed', '');
  RETURN NULL;
END $$;

CREATE TRIGGER api_tokens_changed AFTER UPDATE ON api_tokens FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
     OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.impersonator_id IS DISTINCT FROM NEW.impersonator_id
     OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
  EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER api_tokens_deleted AFTER DELETE OR TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER partners_changed AFTER UPDATE OR DELETE OR TRUNCATE ON partners
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
