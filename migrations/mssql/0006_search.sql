-- Search (the search tool): one document per signal, candidate and pursuit of an organization,
-- holding its title, account name and domain, external and opportunity references and tags,
-- kept in step by triggers on every write to those tables and to tags.
-- Statements inside trigger bodies end with a semicolon at the start of the next line, because
-- the migrator splits a file at a semicolon that ends a line.
-- SQL Server: the documents table, searched with LIKE '%term%' (a scan of the organization's
-- documents; a full-text catalog is an operator's choice this migration does not make).
create table search_documents (
  doc_id bigint identity(1, 1) not null primary key,
  entity_id nvarchar(64) not null,
  org_id nvarchar(64) not null,
  entity_type nvarchar(20) not null,
  title nvarchar(400) not null,
  account nvarchar(400) not null,
  state nvarchar(64) not null,
  fields_text nvarchar(max) not null,
  tags_text nvarchar(max) not null default '',
  doc nvarchar(max) not null,
  constraint search_documents_entity unique (entity_id)
);

create index search_documents_org on search_documents (org_id, entity_type);

create trigger search_signals_document on signals after insert, update as
begin
  set nocount on
  ; merge search_documents as d
  using (select i.id, i.org_id, i.title, coalesce(i.account_name, '') as account, i.state, lower(i.title + ' ' + coalesce(i.account_name, '') + ' ' + coalesce(i.account_domain, '') + ' ' + i.external_ref + ' ' + coalesce(i.opportunity_ref, '')) as fields_text from inserted i) as s
  on d.entity_id = s.id
  when matched then update set title = s.title, account = s.account, state = s.state,
    fields_text = s.fields_text, doc = s.fields_text + ' ' + d.tags_text
  when not matched then insert (entity_id, org_id, entity_type, title, account, state, fields_text, doc)
    values (s.id, s.org_id, 'signal', s.title, s.account, s.state, s.fields_text, s.fields_text)
  ; end;

create trigger search_candidates_document on candidates after insert, update as
begin
  set nocount on
  ; merge search_documents as d
  using (select i.id, i.org_id, i.title, i.account_name as account, i.state, lower(i.title + ' ' + i.account_name + ' ' + coalesce(i.account_domain, '') + ' ' + coalesce(i.opportunity_ref, '')) as fields_text from inserted i) as s
  on d.entity_id = s.id
  when matched then update set title = s.title, account = s.account, state = s.state,
    fields_text = s.fields_text, doc = s.fields_text + ' ' + d.tags_text
  when not matched then insert (entity_id, org_id, entity_type, title, account, state, fields_text, doc)
    values (s.id, s.org_id, 'candidate', s.title, s.account, s.state, s.fields_text, s.fields_text)
  ; end;

create trigger search_pursuits_document on pursuits after insert, update as
begin
  set nocount on
  ; merge search_documents as d
  using (select i.id, i.org_id, i.title, i.account_name as account, i.state, lower(i.title + ' ' + i.account_name) as fields_text from inserted i) as s
  on d.entity_id = s.id
  when matched then update set title = s.title, account = s.account, state = s.state,
    fields_text = s.fields_text, doc = s.fields_text + ' ' + d.tags_text
  when not matched then insert (entity_id, org_id, entity_type, title, account, state, fields_text, doc)
    values (s.id, s.org_id, 'pursuit', s.title, s.account, s.state, s.fields_text, s.fields_text)
  ; end;

create trigger search_tags_document on tags after insert, delete as
begin
  set nocount on
  ; update d set tags_text = x.tags, doc = d.fields_text + ' ' + x.tags
  from search_documents d
  cross apply (select coalesce(string_agg(t.tag, ' ') within group (order by t.tag), '') as tags from tags t
    where t.org_id = d.org_id and t.entity_type = d.entity_type and t.entity_id = d.entity_id) x
  where d.entity_id in (select entity_id from inserted union select entity_id from deleted)
; end;

insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, tags_text, doc)
select x.id, x.org_id, 'signal', x.title, coalesce(x.account_name, ''), x.state, lower(x.title + ' ' + coalesce(x.account_name, '') + ' ' + coalesce(x.account_domain, '') + ' ' + x.external_ref + ' ' + coalesce(x.opportunity_ref, '')), coalesce((select string_agg(t.tag, ' ') within group (order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'signal' and t.entity_id = x.id), ''), lower(x.title + ' ' + coalesce(x.account_name, '') + ' ' + coalesce(x.account_domain, '') + ' ' + x.external_ref + ' ' + coalesce(x.opportunity_ref, '')) + ' ' + coalesce((select string_agg(t.tag, ' ') within group (order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'signal' and t.entity_id = x.id), '') from signals x;

insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, tags_text, doc)
select x.id, x.org_id, 'candidate', x.title, x.account_name, x.state, lower(x.title + ' ' + x.account_name + ' ' + coalesce(x.account_domain, '') + ' ' + coalesce(x.opportunity_ref, '')), coalesce((select string_agg(t.tag, ' ') within group (order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'candidate' and t.entity_id = x.id), ''), lower(x.title + ' ' + x.account_name + ' ' + coalesce(x.account_domain, '') + ' ' + coalesce(x.opportunity_ref, '')) + ' ' + coalesce((select string_agg(t.tag, ' ') within group (order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'candidate' and t.entity_id = x.id), '') from candidates x;

insert into search_documents (entity_id, org_id, entity_type, title, account, state, fields_text, tags_text, doc)
select x.id, x.org_id, 'pursuit', x.title, x.account_name, x.state, lower(x.title + ' ' + x.account_name), coalesce((select string_agg(t.tag, ' ') within group (order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'pursuit' and t.entity_id = x.id), ''), lower(x.title + ' ' + x.account_name) + ' ' + coalesce((select string_agg(t.tag, ' ') within group (order by t.tag) from tags t where t.org_id = x.org_id and t.entity_type = 'pursuit' and t.entity_id = x.id), '') from pursuits x;
