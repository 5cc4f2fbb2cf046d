-- Analytics (SQL Server): a summary table of finished state stays kept by a trigger, indexes for the
-- analytics queries, and the views the analytics tools compute from and BI tools read directly
-- (docs/analytics.md documents every column). Minutes are exact to the millisecond (datediff_big).

-- One row per finished stay in a state, written by the trigger below when an event changes an
-- entity's state: the state it left, since the state change before it (state_stays is derived
-- from events and can be rebuilt from them; nothing else writes it).
create table state_stays (
  left_event_id nvarchar(64) primary key,
  org_id nvarchar(64) not null,
  entity_type nvarchar(40) not null,
  entity_id nvarchar(64) not null,
  state nvarchar(40) not null,
  next_state nvarchar(40) not null,
  entered_at datetime2(3) null,
  left_at datetime2(3) not null
);
create index state_stays_left on state_stays (org_id, left_at, entity_type, state, entered_at, entity_id);
create index state_stays_entity on state_stays (org_id, entity_type, entity_id, state, next_state, left_at);
create index state_stays_entered on state_stays (org_id, entity_type, entity_id, next_state, left_at);

-- The stays of the history written before this migration.
insert into state_stays (left_event_id, org_id, entity_type, entity_id, state, next_state, entered_at, left_at)
select e.id, e.org_id, e.entity_type, e.entity_id, e.from_state, e.to_state,
  (select max(p.occurred_at) from events p
    where p.org_id = e.org_id and p.entity_type = e.entity_type and p.entity_id = e.entity_id
      and p.to_state is not null and (p.from_state is null or p.from_state <> p.to_state) and p.id < e.id),
  e.occurred_at
from events e
where e.from_state is not null and e.to_state is not null and e.from_state <> e.to_state;

-- Every state change records the stay it ends; one statement for all the rows inserted.
create trigger events_state_stays on events after insert as
begin
  set nocount on
  insert into state_stays (left_event_id, org_id, entity_type, entity_id, state, next_state, entered_at, left_at)
  select i.id, i.org_id, i.entity_type, i.entity_id, i.from_state, i.to_state,
    (select max(p.occurred_at) from events p
      where p.org_id = i.org_id and p.entity_type = i.entity_type and p.entity_id = i.entity_id
        and p.to_state is not null and (p.from_state is null or p.from_state <> p.to_state) and p.id < i.id),
    i.occurred_at
  from inserted i
  where i.from_state is not null and i.to_state is not null and i.from_state <> i.to_state
end;

-- Signals by candidate (first signal, its source), a candidate's pursuit, and the date columns
-- the ranges filter on (covering what the funnel and the outcomes read).
create index signals_candidate on signals (org_id, candidate_id, received_at, id);
create index signals_received on signals (org_id, received_at);
create index candidates_created on candidates (org_id, created_at, state, id);
create index candidates_state_created on candidates (org_id, state, created_at, id);
create index pursuits_state_created on pursuits (org_id, state, created_at, id);
create index pursuits_candidate on pursuits (candidate_id, state, submitted_at, held_from_state, org_id, id);
create index pursuits_closed on pursuits (org_id, closed_at, state, id);
create index pursuits_submitted on pursuits (org_id, submitted_at);
create index sla_clocks_met on sla_clocks (org_id, met_at) where state = 'met';

-- One row per finished stay in a state, with its length in minutes.
create view v_state_stays as
select s.org_id, s.entity_type, s.entity_id, s.state, s.next_state, s.entered_at, s.left_at, s.left_event_id,
  datediff_big(millisecond, s.entered_at, s.left_at) / 60000.0 as minutes
from state_stays s;

-- One row per candidate (merged-away duplicates left out): how far down the funnel it got.
create view v_candidate_funnel as
select c.org_id, c.id as candidate_id, c.created_at, c.state, c.priority, c.assignee_id,
  coalesce((select s.source from signals s where s.id =
    (select min(f.id) from signals f where f.org_id = c.org_id and f.candidate_id = c.id)), '(direct)') as source,
  p.id as pursuit_id,
  case when c.state in ('contacted', 'qualified', 'promoted') or exists (select 1 from state_stays t
    where t.org_id = c.org_id and t.entity_type = 'candidate' and t.entity_id = c.id and t.state = 'contacted')
    then 1 else 0 end as reached_contacted,
  case when c.state in ('qualified', 'promoted') or exists (select 1 from state_stays t
    where t.org_id = c.org_id and t.entity_type = 'candidate' and t.entity_id = c.id and t.state = 'qualified')
    then 1 else 0 end as reached_qualified,
  case when p.id is not null then 1 else 0 end as reached_promoted,
  case when p.state in ('proposal', 'submitted', 'won', 'lost')
    or (p.state = 'on_hold' and p.held_from_state = 'proposal')
    or (p.state in ('no_bid', 'cancelled') and exists (select 1 from state_stays t
      where t.org_id = p.org_id and t.entity_type = 'pursuit' and t.entity_id = p.id and t.state = 'proposal'))
    then 1 else 0 end as reached_bid,
  case when p.submitted_at is not null then 1 else 0 end as reached_submitted,
  case when p.state = 'won' then 1 else 0 end as reached_won
from candidates c
left join pursuits p on p.candidate_id = c.id
where c.state <> 'merged';

-- One row per pursuit: its outcome, value, bid decision and cycle times (hold time apart).
create view v_pursuit_outcomes as
select y.*,
  case when y.state in ('won', 'lost') then datediff_big(millisecond, y.started_at, y.closed_at) / 60000.0 end as cycle_minutes,
  case when y.submitted_at is not null then datediff_big(millisecond, y.created_at, y.submitted_at) / 60000.0 end as submit_minutes
from (
select x.*,
  case when x.state in ('capture', 'proposal', 'submitted', 'on_hold') then 'open' else x.state end as outcome,
  case when x.bid_at is not null then 'bid' when x.state = 'no_bid' then 'no_bid' end as bid_decision,
  case when x.bid_at is not null then x.bid_at when x.state = 'no_bid' then x.closed_at end as decided_at,
  x.estimated_value * x.probability / 100.0 as weighted_value
from (
  select p.org_id, p.id as pursuit_id, p.candidate_id, p.title, p.state, p.priority, p.assignee_id,
    coalesce((select s.source from signals s where s.id =
      (select min(f.id) from signals f where f.org_id = p.org_id and f.candidate_id = p.candidate_id)), '(direct)') as source,
    p.estimated_value, p.probability, p.award_amount, p.loss_reason, p.close_reason, p.due_at,
    p.created_at, p.submitted_at, p.closed_at,
    (select min(t.left_at) from state_stays t where t.org_id = p.org_id and t.entity_type = 'pursuit'
      and t.entity_id = p.id and t.state = 'capture' and t.next_state = 'proposal') as bid_at,
    (select min(a.moment) from (select f.received_at as moment from signals f
      where f.org_id = p.org_id and f.candidate_id = p.candidate_id
      union all select c.created_at as moment from candidates c where c.id = p.candidate_id) a) as started_at,
    coalesce((select sum(datediff_big(millisecond, h.entered_at, h.left_at) / 60000.0) from state_stays h where h.org_id = p.org_id
      and h.entity_type = 'pursuit' and h.entity_id = p.id and h.state = 'on_hold'), 0) as hold_minutes
  from pursuits p
) x
) y;

-- One row per SLA clock that was met: in time or late, and how long meeting it took.
create view v_sla_outcomes as
select k.org_id, k.id as clock_id, k.kind, k.entity_type, k.entity_id,
  coalesce(c.assignee_id, p.assignee_id) as assignee_id, coalesce(c.priority, p.priority) as priority,
  k.started_at, k.due_at, k.met_at,
  case when k.breached_at is null and k.met_at <= k.due_at then 1 else 0 end as met_in_time,
  datediff_big(millisecond, k.started_at, k.met_at) / 60000.0 as minutes_to_meet
from sla_clocks k
left join candidates c on k.entity_type = 'candidate' and c.id = k.entity_id
left join pursuits p on k.entity_type = 'pursuit' and p.id = k.entity_id
where k.state = 'met';
