-- The outbox as an ordered log. A worker leases a range of it with one row (outbox_leases) and
-- advances one cursor, instead of writing every row it claims; a delivered range is deleted in
-- one statement. Only a delivery that fails becomes a row of its own (is_retry), claimed, retried
-- and dead-lettered one by one as before. See docs/worker.md.
--
-- Log order is (txid, seq): the inserting transaction, then the insert order. A worker reads only
-- rows whose transaction is older than every transaction still running (pg_snapshot_xmin), so a
-- row committed late can never fall behind the cursor.
alter table outbox add column txid xid8 not null default pg_current_xact_id();
alter table outbox add column seq bigint generated always as identity;
alter table outbox add column is_retry boolean not null default false;
-- The payload is only ever stored and sent: json keeps the text as written, so a claim copies it
-- into its answer instead of printing a jsonb value per row.
alter table outbox alter column payload_json type json using payload_json::json;
-- Rows already attempted (or in flight) carry on as retries.
update outbox set is_retry = true where attempts > 0 or locked_at is not null;
drop index outbox_claim;
-- The retry claim reads unlocked retries in run_at order; the log rows are never in this index.
create index outbox_claim on outbox (run_at, id) where is_retry and locked_at is null;
create index outbox_log on outbox (txid, seq) where not is_retry;

-- Where the next range starts: one row, locked for the moment a claim takes.
create table outbox_cursor (
  id integer primary key,
  txid xid8 not null,
  seq bigint not null
);
insert into outbox_cursor (id, txid, seq) values (1, '0', 0);

-- A range of the log held by one worker loop: after (from_txid, from_seq), up to and including
-- (to_txid, to_seq). Deleted with the range's rows when the batch settles.
create table outbox_leases (
  id text primary key,
  from_txid xid8 not null,
  from_seq bigint not null,
  to_txid xid8 not null,
  to_seq bigint not null,
  locked_by text not null,
  locked_at timestamptz not null,
  attempts integer not null default 1,
  created_at timestamptz not null default now()
);
create index outbox_leases_locked on outbox_leases (locked_at);
