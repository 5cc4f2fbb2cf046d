-- Analytics (SQL Server): indexes for the analytics queries, and views that BI tools read directly.
-- The views are the definitions the analytics tools compute from (docs/analytics.md documents
-- every column); minutes are exact to the millisecond (datediff_big).

-- State changes by entity (stays, funnel reach) and departures by time (stays ending in a period).
create index events_transitions on events (org_id, entity_type, entity_id, id) where to_state is not null;
create index events_departures on events (org_id, occurred_at) where from_state is not null;
create index signals_candidate on signals (org_id, candidate_id, id);
create index signals_received on signals (org_id, received_at);
create index candidates_created on candidates (org_id, created_at);
create index pursuits_closed on pursuits (org_id, closed_at);
create index pursuits_submitted on pursuits (org_id, submitted_at);
create index sla_clocks_met on sla_clocks (org_id, met_at) where state = 'met';

-- One row per finished stay in a state: the state an event left, since the state change before it.
create view v_state_stays as
select s.org_id, s.entity_type, s.entity_id, s.state, s.entered_at, s.left_at, s.left_event_id,
  datediff_big(millisecond, s.entered_at, s.left_at) / 60000.0 as minutes
from (
  select e.org_id, e.entity_type, e.entity_id, e.from_state as state, e.occurred_at as left_at,
    e.id as left_event_id,
    (select max(p.occurred_at) from events p
      where p.org_id = e.org_id and p.entity_type = e.entity_type and p.entity_id = e.entity_id
        and p.to_state is not null and (p.from_state is null or p.from_state <> p.to_state)
        and p.id < e.id) as entered_at
  from events e
  where e.from_state is not null and e.to_state is not null and e.from_state <> e.to_state
) s;

-- One row per candidate (merged-away duplicates left out): how far down the funnel it got.
create view v_candidate_funnel as
select c.org_id, c.id as candidate_id, c.created_at, c.state, c.priority, c.assignee_id,
  coalesce((select s.source from signals s where s.id =
    (select min(f.id) from signals f where f.org_id = c.org_id and f.candidate_id = c.id)), '(direct)') as source,
  p.id as pursuit_id,
  case when exists (select 1 from events e where e.org_id = c.org_id and e.entity_type = 'candidate'
    and e.entity_id = c.id and e.to_state = 'contacted') then 1 else 0 end as reached_contacted,
  case when exists (select 1 from events e where e.org_id = c.org_id and e.entity_type = 'candidate'
    and e.entity_id = c.id and e.to_state = 'qualified') then 1 else 0 end as reached_qualified,
  case when p.id is not null then 1 else 0 end as reached_promoted,
  case when p.id is not null and exists (select 1 from events e where e.org_id = p.org_id
    and e.entity_type = 'pursuit' and e.entity_id = p.id and e.to_state = 'proposal'
    and e.from_state = 'capture') then 1 else 0 end as reached_bid,
  case when p.submitted_at is not null then 1 else 0 end as reached_submitted,
  case when p.state = 'won' then 1 else 0 end as reached_won
from candidates c
left join pursuits p on p.candidate_id = c.id
where c.state <> 'merged';

-- One row per pursuit: its outcome, value, bid decision and cycle times (hold time apart).
create view v_pursuit_outcomes as
select y.*,
  case when y.state in ('won', 'lost')
    then datediff_big(millisecond, y.started_at, y.closed_at) / 60000.0 end as cycle_minutes,
  case when y.submitted_at is not null
    then datediff_big(millisecond, y.created_at, y.submitted_at) / 60000.0 end as submit_minutes
from (
select x.*,
  case when x.state in ('capture', 'proposal', 'submitted', 'on_hold') then 'open' else x.state end as outcome,
  case when x.bid_at is not null then 'bid' when x.state = 'no_bid' then 'no_bid' end as bid_decision,
  case when x.bid_at is not null then x.bid_at when x.state = 'no_bid' then x.closed_at end as decided_at,
  x.estimated_value * x.probability / 100.0 as weighted_value,
  case when x.first_signal_at is not null and x.first_signal_at < x.candidate_created_at
    then x.first_signal_at else x.candidate_created_at end as started_at
from (
  select p.org_id, p.id as pursuit_id, p.candidate_id, p.title, p.state, p.priority, p.assignee_id,
    coalesce((select s.source from signals s where s.id =
      (select min(f.id) from signals f where f.org_id = p.org_id and f.candidate_id = p.candidate_id)), '(direct)') as source,
    p.estimated_value, p.probability, p.award_amount, p.loss_reason, p.close_reason, p.due_at,
    p.created_at, p.submitted_at, p.closed_at,
    (select min(e.occurred_at) from events e where e.org_id = p.org_id and e.entity_type = 'pursuit'
      and e.entity_id = p.id and e.to_state = 'proposal' and e.from_state = 'capture') as bid_at,
    c.created_at as candidate_created_at,
    (select min(f.received_at) from signals f
      where f.org_id = p.org_id and f.candidate_id = p.candidate_id) as first_signal_at,
    coalesce((select sum(h.minutes) from v_state_stays h where h.org_id = p.org_id
      and h.entity_type = 'pursuit' and h.entity_id = p.id and h.state = 'on_hold'), 0) as hold_minutes
  from pursuits p
  join candidates c on c.id = p.candidate_id
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
