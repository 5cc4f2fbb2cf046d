-- Access: token expiry, members that leave (deactivated, never deleted: history keeps their
-- name), members matched by an identity provider's subject, and the access audit trail.
alter table api_tokens add expires_at datetime2(3) null;

alter table members add deactivated_at datetime2(3) null;

alter table members add subject nvarchar(400) null;

create unique index members_org_subject_key on members (org_id, subject) where subject is not null;

create table access_events (
  id nvarchar(64) not null primary key,
  org_id nvarchar(64) null references orgs (id),
  member_id nvarchar(64) null references members (id),
  kind nvarchar(40) not null,
  token_id nvarchar(200) null,
  client_id nvarchar(400) null,
  detail_json nvarchar(max) not null default '{}',
  occurred_at datetime2(3) not null
);

create index access_events_org_feed on access_events (org_id, id);
