-- The range claim as a procedure of two transactions, so that the claims of many loops and
-- processes overlap, in one round trip (src/worker/sql/claim.ts describes it):
--   1. Find the horizon; lock the cursor, find where the next p_batch rows of the log below the
--      horizon end (their log positions only), record the lease p_lease and move the cursor past
--      them; commit. The cursor is locked only for this: two rows written, nothing else.
--   2. Complete the lease p_complete if p_worker still holds it (its range's rows deleted with
--      it), and read the rows of the new lease into range_rows, one text in log order: rows
--      separated by U+001E, the fields of a row by U+001F (JSON text holds neither unescaped; ids
--      and destination names never do): id, org_id, event_id, destination, max_attempts,
--      created_at in epoch milliseconds, errors_json, payload_json. The payload is the stored
--      JSON text, which a worker parses only when a destination reads it (a webhook posts it as
--      stored). completed is 1 when p_complete was completed.
-- A procedure may commit when it is called on its own (not inside a transaction block), which is
-- how the worker calls it. Statements inside the body end with a semicolon followed by more text
-- on its line: the migrator splits a file at a line-ending one.
drop function outbox_claim_range(text, text, integer, text);
create procedure outbox_claim_range(
  p_worker text, p_lease text, p_batch integer, p_complete text,
  inout completed integer default null, inout range_rows text default null
)
language plpgsql as $$
declare
  v_horizon xid8 ; v_from_txid xid8 ; v_from_seq bigint ; v_to_txid xid8 ; v_to_seq bigint ; begin
  -- The horizon before the cursor is locked: a transaction older than it has ended before the
  -- range is read, so reading up to it later is as safe as reading up to it now.
  select coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot())) into v_horizon
  from pg_snapshot_xip(pg_current_snapshot()) as x
  where xid(x) not in (
    select backend_xid from pg_stat_activity
    where datname <> current_database() and backend_xid is not null
  ) ; select txid, seq into v_from_txid, v_from_seq from outbox_cursor where id = 1 for update ; select n.txid, n.seq into v_to_txid, v_to_seq from (
    select o.txid, o.seq from outbox o
    where not o.is_retry and (o.txid, o.seq) > (v_from_txid, v_from_seq) and o.txid < v_horizon
    order by o.txid, o.seq
    limit p_batch
  ) n order by n.txid desc, n.seq desc limit 1 ; if found then
    insert into outbox_leases (id, from_txid, from_seq, to_txid, to_seq, locked_by, locked_at)
    values (p_lease, v_from_txid, v_from_seq, v_to_txid, v_to_seq, p_worker, now()) ; update outbox_cursor set txid = v_to_txid, seq = v_to_seq where id = 1 ; end if ; commit ; with done as (
    delete from outbox_leases l where l.id = p_complete and l.locked_by = p_worker
    returning l.from_txid, l.from_seq, l.to_txid, l.to_seq
  ), cleared as (
    delete from outbox o using done
    where not o.is_retry
      and (o.txid, o.seq) > (done.from_txid, done.from_seq) and (o.txid, o.seq) <= (done.to_txid, done.to_seq)
  )
  select count(*)::int into completed from done ; if v_to_txid is not null then
    select string_agg(r.line, chr(30)) into range_rows from (
      select concat_ws(chr(31), o.id, o.org_id, o.event_id, o.destination, o.max_attempts,
        date_part('epoch', o.created_at) * 1000, o.errors_json::text, o.payload_json::text) as line
      from outbox o
      where not o.is_retry
        and (o.txid, o.seq) > (v_from_txid, v_from_seq) and (o.txid, o.seq) <= (v_to_txid, v_to_seq)
      order by o.txid, o.seq
    ) r ; end if ; end
$$;
