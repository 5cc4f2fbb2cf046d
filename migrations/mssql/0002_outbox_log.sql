-- The outbox as an ordered log; see migrations/postgres/0002_outbox_log.sql and docs/worker.md.
-- Log order is txid, a rowversion: a worker reads only rows below MIN_ACTIVE_ROWVERSION(), so a
-- row committed late can never fall behind the cursor. seq is kept for the same shape as the
-- other dialects. A rowversion changes when its row is updated: log rows are never updated (a
-- failed delivery becomes a retry row, outside the log).
alter table outbox add txid rowversion;
alter table outbox add seq bigint identity(1, 1) not null;
alter table outbox add is_retry bit not null default 0;
update outbox set is_retry = 1 where attempts > 0 or locked_at is not null;
drop index outbox_claim on outbox;
create index outbox_claim on outbox (run_at, id) where is_retry = 1 and locked_at is null;
create index outbox_log on outbox (txid, seq) where is_retry = 0;

create table outbox_cursor (
  id integer not null primary key,
  txid binary(8) not null,
  seq bigint not null
);
insert into outbox_cursor (id, txid, seq) values (1, 0x0000000000000000, 0);

create table outbox_leases (
  id nvarchar(64) not null primary key,
  from_txid binary(8) not null,
  from_seq bigint not null,
  to_txid binary(8) not null,
  to_seq bigint not null,
  locked_by nvarchar(200) not null,
  locked_at datetime2(3) not null,
  attempts integer not null default 1,
  created_at datetime2(3) not null default sysutcdatetime()
);
create index outbox_leases_locked on outbox_leases (locked_at);
