-- Access: token expiry, members that leave (deactivated, never deleted: history keeps their
-- name), members matched by an identity provider's subject, and the access audit trail.
alter table api_tokens add column expires_at text null;

alter table members add column deactivated_at text null;

alter table members add column subject text null;

create unique index members_org_subject_key on members (org_id, subject) where subject is not null;

create table access_events (
  id text primary key,
  org_id text null references orgs (id),
  member_id text null references members (id),
  kind text not null,
  token_id text null,
  client_id text null,
  detail_json text not null default '{}',
  occurred_at text not null
);

create index access_events_org_feed on access_events (org_id, id);
