-- Search (the search tool): one document per signal, candidate and pursuit of an organization,
-- holding its title, account name and domain, external and opportunity references and tags,
-- kept in step by triggers on every write to those tables and to tags.
-- Statements inside trigger bodies end with a semicolon at the start of the next line, because
-- the migrator splits a file at a semicolon that ends a line.
-- PostgreSQL: a trigram (pg_trgm) GIN index on the document, which serves ILIKE '%term%'.
create extension if not exists pg_trgm;

create table search_documents (
  doc_id bigint generated always as identity primary key,
  entity_id text not null,
  org_id text not null,
  entity_type text not null,
  title text not null,
  account text not null,
  state text not null,
  fields_text text not null,
  tags_text text not null default '',
  doc text not null,
  constraint search_documents_entity unique (entity_id)
);

create index search_documents_doc on search_documents using gin (doc gin_trgm_ops);

create index search_documents_org on search_documents (org_id, entity_type);

create function search_signals_document() returns trigger language plpgsql as $$
begin
  insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, doc)
  values (new.id, new.org_id, 'signal', new.title, coalesce(new.account_name, ''), new.state, lower(new.title || ' ' || coalesce(new.account_name, '') || ' ' || coalesce(new.account_domain, '') || ' ' || new.external_ref || ' ' || coalesce(new.opportunity_ref, '')), lower(new.title || ' ' || coalesce(new.account_name, '') || ' ' || coalesce(new.account_domain, '') || ' ' || new.external_ref || ' ' || coalesce(new.opportunity_ref, '')))
  on conflict (entity_id) do update set title = excluded.title, account = excluded.account,
    state = excluded.state, fields_text = excluded.fields_text,
    doc = excluded.fields_text || ' ' || search_documents.tags_text
  ; return null
; end $$;

create trigger search_signals_document after insert or update on signals
  for each row execute function search_signals_document();

create function search_candidates_document() returns trigger language plpgsql as $$
begin
  insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, doc)
  values (new.id, new.org_id, 'candidate', new.title, new.account_name, new.state, lower(new.title || ' ' || new.account_name || ' ' || coalesce(new.account_domain, '') || ' ' || coalesce(new.opportunity_ref, '')), lower(new.title || ' ' || new.account_name || ' ' || coalesce(new.account_domain, '') || ' ' || coalesce(new.opportunity_ref, '')))
  on conflict (entity_id) do update set title = excluded.title, account = excluded.account,
    state = excluded.state, fields_text = excluded.fields_text,
    doc = excluded.fields_text || ' ' || search_documents.tags_text
  ; return null
; end $$;

create trigger search_candidates_document after insert or update on candidates
  for each row execute function search_candidates_document();

create function search_pursuits_document() returns trigger language plpgsql as $$
begin
  insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, doc)
  values (new.id, new.org_id, 'pursuit', new.title, new.account_name, new.state, lower(new.title || ' ' || new.account_name), lower(new.title || ' ' || new.account_name))
  on conflict (entity_id) do update set title = excluded.title, account = excluded.account,
    state = excluded.state, fields_text = excluded.fields_text,
    doc = excluded.fields_text || ' ' || search_documents.tags_text
  ; return null
; end $$;

create trigger search_pursuits_document after insert or update on pursuits
  for each row execute function search_pursuits_document();

create function search_tags_document() returns trigger language plpgsql as $$
declare
  changed tags
; begin
  if tg_op = 'DELETE' then changed := old
  ; else changed := new
  ; end if
  ; update search_documents d set tags_text = x.tags, doc = d.fields_text || ' ' || x.tags
  from (select coalesce(string_agg(t.tag, ' ' order by t.tag), '') as tags from tags t
        where t.org_id = changed.org_id and t.entity_type = changed.entity_type
          and t.entity_id = changed.entity_id) x
  where d.entity_id = changed.entity_id
  ; return null
; end $$;

create trigger search_tags_document after insert or delete on tags
  for each row execute function search_tags_document();

insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, tags_text, doc)
select x.id, x.org_id, 'signal', x.title, coalesce(x.account_name, ''), x.state, lower(x.title || ' ' || coalesce(x.account_name, '') || ' ' || coalesce(x.account_domain, '') || ' ' || x.external_ref || ' ' || coalesce(x.opportunity_ref, '')), coalesce((select string_agg(t.tag, ' ' order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'signal' and t.entity_id = x.id), ''), lower(x.title || ' ' || coalesce(x.account_name, '') || ' ' || coalesce(x.account_domain, '') || ' ' || x.external_ref || ' ' || coalesce(x.opportunity_ref, '')) || ' ' || coalesce((select string_agg(t.tag, ' ' order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'signal' and t.entity_id = x.id), '') from signals x;

insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, tags_text, doc)
select x.id, x.org_id, 'candidate', x.title, x.account_name, x.state, lower(x.title || ' ' || x.account_name || ' ' || coalesce(x.account_domain, '') || ' ' || coalesce(x.opportunity_ref, '')), coalesce((select string_agg(t.tag, ' ' order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'candidate' and t.entity_id = x.id), ''), lower(x.title || ' ' || x.account_name || ' ' || coalesce(x.account_domain, '') || ' ' || coalesce(x.opportunity_ref, '')) || ' ' || coalesce((select string_agg(t.tag, ' ' order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'candidate' and t.entity_id = x.id), '') from candidates x;

insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, tags_text, doc)
select x.id, x.org_id, 'pursuit', x.title, x.account_name, x.state, lower(x.title || ' ' || x.account_name), coalesce((select string_agg(t.tag, ' ' order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'pursuit' and t.entity_id = x.id), ''), lower(x.title || ' ' || x.account_name) || ' ' || coalesce((select string_agg(t.tag, ' ' order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'pursuit' and t.entity_id = x.id), '') from pursuits x;
