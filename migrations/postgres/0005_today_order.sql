-- The Today Panel reads one page by an index, whatever a member's number of open items
-- (docs/benchmarks.md): each candidate and pursuit keeps its place in the panel's order, written
-- by the commands that change it (src/workstream/today-order.ts), and each member keeps a count
-- of their open items, so a page and its total cost the same at 100 items and at 100,000.
--   today_owner   the assignee while the item is open work, else null (then it is in no panel)
--   today_rank    0 urgent, 1 high, 2 medium, 3 low
--   today_due_at  the earliest of its own due time and its running SLA clocks' due times;
--                 9999-12-31T23:59:59.999Z when it has none, so undated work sorts last
-- sla_clocks.assignee_id is the assignee of the clock's candidate or pursuit while the clock is
-- open, so list_sla_breaches by assignee reads that member's clocks by an index.

alter table candidates add column today_owner text null;
alter table candidates add column today_rank integer null;
alter table candidates add column today_due_at timestamptz null;
alter table pursuits add column today_owner text null;
alter table pursuits add column today_rank integer null;
alter table pursuits add column today_due_at timestamptz null;
alter table sla_clocks add column assignee_id text null;

create table today_counts (
  org_id text not null references orgs (id),
  member_id text not null,
  entity_type text not null,
  items integer not null default 0,
  constraint today_counts_pkey primary key (org_id, member_id, entity_type),
  constraint today_counts_entity_check check (entity_type in ('candidate', 'pursuit'))
);

update candidates set
  today_owner = case when state in ('new', 'contacted', 'qualified') then assignee_id end,
  today_rank = case priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end,
  today_due_at = least(
    coalesce(due_at, timestamptz '9999-12-31T23:59:59.999Z'),
    coalesce(
      (select min(k.due_at) from sla_clocks k
        where k.entity_type = 'candidate' and k.entity_id = candidates.id
          and k.state in ('running', 'paused') and k.state = 'running'),
      timestamptz '9999-12-31T23:59:59.999Z'));

update pursuits set
  today_owner = case when state in ('capture', 'proposal', 'submitted', 'on_hold') then assignee_id end,
  today_rank = case priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end,
  today_due_at = least(
    coalesce(due_at, timestamptz '9999-12-31T23:59:59.999Z'),
    coalesce(
      (select min(k.due_at) from sla_clocks k
        where k.entity_type = 'pursuit' and k.entity_id = pursuits.id
          and k.state in ('running', 'paused') and k.state = 'running'),
      timestamptz '9999-12-31T23:59:59.999Z'));

update sla_clocks set assignee_id = case entity_type
    when 'candidate' then (select c.assignee_id from candidates c where c.id = sla_clocks.entity_id)
    else (select p.assignee_id from pursuits p where p.id = sla_clocks.entity_id)
  end
  where state in ('running', 'paused');

insert into today_counts (org_id, member_id, entity_type, items)
  select org_id, today_owner, 'candidate', count(*) from candidates
    where today_owner is not null group by org_id, today_owner;
insert into today_counts (org_id, member_id, entity_type, items)
  select org_id, today_owner, 'pursuit', count(*) from pursuits
    where today_owner is not null group by org_id, today_owner;

-- The panel's page: a member's open work in panel order (priority, effective due, age, id).
drop index candidates_today;
drop index pursuits_today;
create index candidates_today_order on candidates (org_id, today_owner, today_rank, today_due_at, created_at, id);
create index pursuits_today_order on pursuits (org_id, today_owner, today_rank, today_due_at, created_at, id);
-- Lists, newest first: all of an org's, or one assignee's.
create index candidates_org_recent on candidates (org_id, id);
create index pursuits_org_recent on pursuits (org_id, id);
create index candidates_assignee_list on candidates (org_id, assignee_id, id);
create index pursuits_assignee_list on pursuits (org_id, assignee_id, id);
-- list_sla_breaches by assignee: that member's running clocks, most overdue first.
create index sla_clocks_assignee on sla_clocks (org_id, assignee_id, state, due_at, id);
-- list_sla_breaches across the org: running clocks by due time, then id (its full sort key).
drop index sla_clocks_org;
create index sla_clocks_org on sla_clocks (org_id, state, due_at, id);
