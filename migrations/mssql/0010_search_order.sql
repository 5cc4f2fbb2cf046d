-- Search pages at page-sized cost: an exact account name or title is found by an index on the
-- lower-cased value (org_id, key = the query), and the other matches are read newest first along
-- (org_id, entity_id), stopping at the page's end, instead of ranking every match.
-- SQL Server: the keys are persisted computed columns (lower() whatever the collation).
alter table search_documents add account_key as lower(account) persisted;

alter table search_documents add title_key as lower(title) persisted;

create index search_documents_account_key on search_documents (org_id, account_key);

create index search_documents_title_key on search_documents (org_id, title_key);

create index search_documents_newest on search_documents (org_id, entity_id);
