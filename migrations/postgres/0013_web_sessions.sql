-- Sessions of the /today page (src/server/today-web.ts), kept in the database so that every
-- server process knows them (no sticky sessions behind a load balancer) and a restart does not
-- sign people out. The cookie's value is never stored: `id` is its SHA-256 (hex), and the
-- form token is derived from the value. A session ends at `expires_at`, at sign-out, or when
-- its token is revoked or expires or its member leaves (checked on every request).
create table web_sessions (
  id text primary key,
  org_id text not null references orgs (id),
  member_id text not null references members (id),
  token_id text null,
  expires_at timestamptz not null,
  created_at timestamptz not null
);

create index web_sessions_expiry on web_sessions (expires_at);
