DROP TABLE emails;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE shipping_allowances;
DROP TABLE users;
DROP TABLE partners;
