-- Sessions of the /today page (src/server/today-web.ts), kept in the database so that every
-- server process knows them (no sticky sessions behind a load balancer) and a restart does not
-- sign people out. The cookie's value is never stored: `id` is its SHA-256 (hex), and the
-- form token is derived from the value. A session ends at `expires_at`, at sign-out, or when
-- its token is revoked or expires or its member leaves (checked on every request).
create table web_sessions (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) not null references orgs (id),
  member_id nvarchar(64) not null references members (id),
  token_id nvarchar(200) null,
  expires_at datetime2(3) not null,
  created_at datetime2(3) not null
);

create index web_sessions_expiry on web_sessions (expires_at);
