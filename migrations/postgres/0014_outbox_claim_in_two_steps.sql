-- The range claim in two short steps instead of one, so that claims of many loops and processes
-- overlap (src/worker/sql/claim.ts describes them):
--   outbox_claim_range: complete the lease p_complete if p_worker still holds it (its range's
--     rows deleted with it), find the horizon, then lock the cursor, find where the next p_batch
--     rows of the log below the horizon end (their log positions only), record the lease p_lease
--     and move the cursor past them. It answers whether p_complete was completed and how many
--     rows the lease holds. The cursor stays locked until this commits: reading and sending the
--     rows is no longer part of that time.
--   outbox_range_rows: the rows of lease p_lease, if p_worker holds it, as one text in log order:
--     rows separated by U+001E, the fields of a row by U+001F (JSON text holds neither unescaped;
--     ids and destination names never do): id, org_id, event_id, destination, max_attempts,
--     created_at in epoch milliseconds, errors_json, payload_json. The payload is the stored JSON
--     text, which a worker parses only when a destination reads it (a webhook posts it as stored).
-- Statements inside a body end with a semicolon followed by more text on its line: the migrator
-- splits a file at a line-ending one.
drop function outbox_claim_range(text, text, integer, text);
create function outbox_claim_range(p_worker text, p_lease text, p_batch integer, p_complete text)
returns table (completed integer, leased integer)
language plpgsql as $$
#variable_conflict use_column
declare
  v_completed integer := 0 ; v_horizon xid8 ; begin
  -- Before the cursor is locked, the work that needs no lock: the completion, and the horizon.
  -- A transaction older than the horizon has ended before the range is read, so reading up to
  -- it later is as safe as reading up to it now.
  with done as (
    delete from outbox_leases where id = p_complete and locked_by = p_worker
    returning from_txid, from_seq, to_txid, to_seq
  ), cleared as (
    delete from outbox o using done
    where not o.is_retry
      and (o.txid, o.seq) > (done.from_txid, done.from_seq) and (o.txid, o.seq) <= (done.to_txid, done.to_seq)
  )
  select count(*)::int into v_completed from done ; select coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot())) into v_horizon
  from pg_snapshot_xip(pg_current_snapshot()) as x
  where xid(x) not in (
    select backend_xid from pg_stat_activity
    where datname <> current_database() and backend_xid is not null
  ) ; return query
    with head as (
      select txid, seq from outbox_cursor where id = 1 for update
    ), next as (
      select o.txid, o.seq
      from outbox o
      where not o.is_retry and (o.txid, o.seq) > ((select txid from head), (select seq from head))
        and o.txid < v_horizon
      order by o.txid, o.seq
      limit p_batch
    ), last as (
      select txid, seq from next order by txid desc, seq desc limit 1
    ), lease as (
      insert into outbox_leases (id, from_txid, from_seq, to_txid, to_seq, locked_by, locked_at)
      select p_lease, head.txid, head.seq, last.txid, last.seq, p_worker, now() from head, last
    ), moved as (
      update outbox_cursor c set txid = last.txid, seq = last.seq from last where c.id = 1
    )
    select v_completed, (select count(*)::int from next) ; end
$$;
create function outbox_range_rows(p_worker text, p_lease text)
returns text
language plpgsql stable as $$
declare
  v_lease outbox_leases%rowtype ; v_rows text ; begin
  select * into v_lease from outbox_leases where id = p_lease and locked_by = p_worker ; if not found then
    return null ; end if ; select string_agg(concat_ws(chr(31), o.id, o.org_id, o.event_id, o.destination, o.max_attempts,
      date_part('epoch', o.created_at) * 1000, o.errors_json::text, o.payload_json::text), chr(30) order by o.txid, o.seq)
  into v_rows
  from outbox o
  where not o.is_retry
    and (o.txid, o.seq) > (v_lease.from_txid, v_lease.from_seq)
    and (o.txid, o.seq) <= (v_lease.to_txid, v_lease.to_seq) ; return v_rows ; end
$$;
