-- Search (the search tool): one document per signal, candidate and pursuit of an organization,
-- holding its title, account name and domain, external and opportunity references and tags,
-- kept in step by triggers on every write to those tables and to tags.
-- Statements inside trigger bodies end with a semicolon at the start of the next line, because
-- the migrator splits a file at a semicolon that ends a line.
-- SQLite: an FTS5 index with the trigram tokenizer (substring matches, case-insensitive) over
-- the documents table, synced by the documents table's own triggers.
create table search_documents (
  doc_id integer primary key,
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

create index search_documents_org on search_documents (org_id, entity_type);

create virtual table search_fts using fts5(doc, content = 'search_documents', content_rowid = 'doc_id', tokenize = 'trigram');

create trigger search_documents_ai after insert on search_documents begin
  insert into search_fts (rowid, doc) values (new.doc_id, new.doc)
; end;

create trigger search_documents_ad after delete on search_documents begin
  insert into search_fts (search_fts, rowid, doc) values ('delete', old.doc_id, old.doc)
; end;

create trigger search_documents_au after update of doc on search_documents begin
  insert into search_fts (search_fts, rowid, doc) values ('delete', old.doc_id, old.doc)
  ; insert into search_fts (rowid, doc) values (new.doc_id, new.doc)
; end;

create trigger search_signals_ai after insert on signals begin
  insert into search_documents (org_id, entity_type, entity_id, title, account, state, fields_text, doc)
  values (new.org_id, 'signal', new.id, new.title, coalesce(new.account_name, ''), new.state, lower(new.title || ' ' || coalesce(new.account_name, '') || ' ' || coalesce(new.account_domain, '') || ' ' || new.external_ref || ' ' || coalesce(new.opportunity_ref, '')), lower(new.title || ' ' || coalesce(new.account_name, '') || ' ' || coalesce(new.account_domain, '') || ' ' || new.external_ref || ' ' || coalesce(new.opportunity_ref, '')))
; end;

create trigger search_signals_au after update on signals begin
  update search_documents set title = new.title, account = coalesce(new.account_name, ''), state = new.state,
    fields_text = lower(new.title || ' ' || coalesce(new.account_name, '') || ' ' || coalesce(new.account_domain, '') || ' ' || new.external_ref || ' ' || coalesce(new.opportunity_ref, '')), doc = lower(new.title || ' ' || coalesce(new.account_name, '') || ' ' || coalesce(new.account_domain, '') || ' ' || new.external_ref || ' ' || coalesce(new.opportunity_ref, '')) || ' ' || tags_text
  where entity_id = new.id
; end;

create trigger search_signals_ad after delete on signals begin
  delete from search_documents where entity_id = old.id
; end;

create trigger search_candidates_ai after insert on candidates begin
  insert into search_documents (org_id, entity_type, entity_id, title, account, state, fields_text, doc)
  values (new.org_id, 'candidate', new.id, new.title, new.account_name, new.state, lower(new.title || ' ' || new.account_name || ' ' || coalesce(new.account_domain, '') || ' ' || coalesce(new.opportunity_ref, '')), lower(new.title || ' ' || new.account_name || ' ' || coalesce(new.account_domain, '') || ' ' || coalesce(new.opportunity_ref, '')))
; end;

create trigger search_candidates_au after update on candidates begin
  update search_documents set title = new.title, account = new.account_name, state = new.state,
    fields_text = lower(new.title || ' ' || new.account_name || ' ' || coalesce(new.account_domain, '') || ' ' || coalesce(new.opportunity_ref, '')), doc = lower(new.title || ' ' || new.account_name || ' ' || coalesce(new.account_domain, '') || ' ' || coalesce(new.opportunity_ref, '')) || ' ' || tags_text
  where entity_id = new.id
; end;

create trigger search_candidates_ad after delete on candidates begin
  delete from search_documents where entity_id = old.id
; end;

create trigger search_pursuits_ai after insert on pursuits begin
  insert into search_documents (org_id, entity_type, entity_id, title, account, state, fields_text, doc)
  values (new.org_id, 'pursuit', new.id, new.title, new.account_name, new.state, lower(new.title || ' ' || new.account_name), lower(new.title || ' ' || new.account_name))
; end;

create trigger search_pursuits_au after update on pursuits begin
  update search_documents set title = new.title, account = new.account_name, state = new.state,
    fields_text = lower(new.title || ' ' || new.account_name), doc = lower(new.title || ' ' || new.account_name) || ' ' || tags_text
  where entity_id = new.id
; end;

create trigger search_pursuits_ad after delete on pursuits begin
  delete from search_documents where entity_id = old.id
; end;

create trigger search_tags_ai after insert on tags begin
  update search_documents set tags_text = coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = new.org_id and t.entity_type = new.entity_type and t.entity_id = new.entity_id), ''), doc = fields_text || ' ' || coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = new.org_id and t.entity_type = new.entity_type and t.entity_id = new.entity_id), '')
  where entity_id = new.entity_id
; end;

create trigger search_tags_ad after delete on tags begin
  update search_documents set tags_text = coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = old.org_id and t.entity_type = old.entity_type and t.entity_id = old.entity_id), ''), doc = fields_text || ' ' || coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = old.org_id and t.entity_type = old.entity_type and t.entity_id = old.entity_id), '')
  where entity_id = old.entity_id
; end;

insert into search_documents (org_id, entity_type, entity_id, title, account, state, fields_text, tags_text, doc)
select x.org_id, 'signal', x.id, x.title, coalesce(x.account_name, ''), x.state, lower(x.title || ' ' || coalesce(x.account_name, '') || ' ' || coalesce(x.account_domain, '') || ' ' || x.external_ref || ' ' || coalesce(x.opportunity_ref, '')), coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = x.org_id and t.entity_type = 'signal' and t.entity_id = x.id), ''), lower(x.title || ' ' || coalesce(x.account_name, '') || ' ' || coalesce(x.account_domain, '') || ' ' || x.external_ref || ' ' || coalesce(x.opportunity_ref, '')) || ' ' || coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = x.org_id and t.entity_type = 'signal' and t.entity_id = x.id), '') from signals x;

insert into search_documents (org_id, entity_type, entity_id, title, account, state, fields_text, tags_text, doc)
select x.org_id, 'candidate', x.id, x.title, x.account_name, x.state, lower(x.title || ' ' || x.account_name || ' ' || coalesce(x.account_domain, '') || ' ' || coalesce(x.opportunity_ref, '')), coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = x.org_id and t.entity_type = 'candidate' and t.entity_id = x.id), ''), lower(x.title || ' ' || x.account_name || ' ' || coalesce(x.account_domain, '') || ' ' || coalesce(x.opportunity_ref, '')) || ' ' || coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = x.org_id and t.entity_type = 'candidate' and t.entity_id = x.id), '') from candidates x;

insert into search_documents (org_id, entity_type, entity_id, title, account, state, fields_text, tags_text, doc)
select x.org_id, 'pursuit', x.id, x.title, x.account_name, x.state, lower(x.title || ' ' || x.account_name), coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = x.org_id and t.entity_type = 'pursuit' and t.entity_id = x.id), ''), lower(x.title || ' ' || x.account_name) || ' ' || coalesce((select group_concat(t.tag, ' ') from tags t where t.org_id = x.org_id and t.entity_type = 'pursuit' and t.entity_id = x.id), '') from pursuits x;
