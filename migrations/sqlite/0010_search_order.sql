-- Search pages at page-sized cost: an exact account name or title is found by an index on the
-- lower-cased value (org_id, key = the query), and the other matches are read newest first along
-- (org_id, entity_id), stopping at the page's end, instead of ranking every match.
-- SQLite: the keys are virtual generated columns (computed when read, indexed like columns).
alter table search_documents add column account_key text generated always as (lower(account)) virtual;

alter table search_documents add column title_key text generated always as (lower(title)) virtual;

create index search_documents_account_key on search_documents (org_id, account_key);

create index search_documents_title_key on search_documents (org_id, title_key);

create index search_documents_newest on search_documents (org_id, entity_id);
