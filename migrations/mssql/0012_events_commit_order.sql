-- The order in which events were committed, for the change relay that polls the events table
-- (src/live/poll-relay.ts): a rowversion, read below MIN_ACTIVE_ROWVERSION() so no open
-- transaction's event is passed over. SQLite has it already (the rowid: one writer at a time);
-- PostgreSQL relays changes by NOTIFY and needs none.
alter table events add seq rowversion;
create index events_seq on events (seq);
