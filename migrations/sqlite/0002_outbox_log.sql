-- The outbox as an ordered log; see migrations/postgres/0002_outbox_log.sql and docs/worker.md.
-- SQLite has one writer at a time, so commit order is insert order: the log order is seq, an
-- AUTOINCREMENT key (never reused, never renumbered by VACUUM), and txid is always 0. Adding
-- such a key means rebuilding the table.
create table outbox_rebuilt (
  id text not null unique,
  org_id text not null references orgs (id),
  event_id text not null references events (id),
  destination text not null,
  payload_json text not null,
  attempts integer not null default 0,
  max_attempts integer not null default 10,
  run_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  locked_by text null,
  locked_at text null,
  last_error text null,
  errors_json text not null default '[]',
  created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  txid integer not null default 0,
  seq integer primary key autoincrement,
  is_retry integer not null default 0,
  constraint outbox_event_destination_key unique (event_id, destination)
);
insert into outbox_rebuilt (id, org_id, event_id, destination, payload_json, attempts, max_attempts,
  run_at, locked_by, locked_at, last_error, errors_json, created_at, updated_at, is_retry)
select id, org_id, event_id, destination, payload_json, attempts, max_attempts, run_at, locked_by,
  locked_at, last_error, errors_json, created_at, updated_at,
  case when attempts > 0 or locked_at is not null then 1 else 0 end
from outbox order by created_at, id;
drop table outbox;
alter table outbox_rebuilt rename to outbox;
create index outbox_claim on outbox (run_at, id) where is_retry = 1 and locked_at is null;
create index outbox_locked on outbox (locked_at) where locked_at is not null;
create index outbox_log on outbox (txid, seq) where is_retry = 0;

create table outbox_cursor (
  id integer primary key,
  txid integer not null,
  seq integer not null
);
insert into outbox_cursor (id, txid, seq) values (1, 0, 0);

create table outbox_leases (
  id text primary key,
  from_txid integer not null,
  from_seq integer not null,
  to_txid integer not null,
  to_seq integer not null,
  locked_by text not null,
  locked_at text not null,
  attempts integer not null default 1,
  created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index outbox_leases_locked on outbox_leases (locked_at);
