DROP TRIGGER IF EXISTS partners_changed ON partners;
DROP TRIGGER IF EXISTS users_changed ON users;
DROP TRIGGER IF EXISTS api_tokens_deleted ON api_tokens;
DROP TRIGGER IF EXISTS api_tokens_changed ON api_tokens;
DROP FUNCTION IF EXISTS notify_auth_changed();
