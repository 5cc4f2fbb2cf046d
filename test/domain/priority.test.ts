import { describe, expect, it } from 'vitest';
import {
  compareTodayItems,
  effectiveDue,
  PRIORITIES,
  priorityRank,
  type TodayItemOrder,
} from '../../src/domain/index.js';

const at = (iso: string) => new Date(`2026-03-0${iso}Z`);

describe('priorityRank', () => {
  it('ranks urgent first and low last', () => {
    expect(PRIORITIES.map(priorityRank)).toEqual([0, 1, 2, 3]);
    expect(priorityRank('urgent')).toBeLessThan(priorityRank('high'));
  });
});

describe('effectiveDue', () => {
  it('takes the earliest of the own due date and the SLA deadlines', () => {
    expect(effectiveDue(at('5T10:00:00'), [at('4T09:00:00'), null, at('6T00:00:00')])).toEqual(
      at('4T09:00:00'),
    );
  });

  it('takes the own due date when it comes first', () => {
    expect(effectiveDue(at('1T10:00:00'), [at('4T09:00:00')])).toEqual(at('1T10:00:00'));
  });

  it('uses the SLA deadline when there is no own due date', () => {
    expect(effectiveDue(null, [at('4T09:00:00')])).toEqual(at('4T09:00:00'));
  });

  it('is null when nothing is due', () => {
    expect(effectiveDue(null, [null, null])).toBeNull();
  });
});

describe('compareTodayItems', () => {
  const item = (id: string, over: Partial<TodayItemOrder>): TodayItemOrder => ({
    id,
    priority: 'medium',
    effectiveDueAt: null,
    createdAt: at('1T00:00:00'),
    ...over,
  });
  const order = (items: TodayItemOrder[]) => [...items].sort(compareTodayItems).map((i) => i.id);

  it('puts higher priority first whatever is due', () => {
    expect(
      order([
        item('low', { priority: 'low', effectiveDueAt: at('1T00:00:00') }),
        item('urgent', { priority: 'urgent' }),
        item('high', { priority: 'high' }),
      ]),
    ).toEqual(['urgent', 'high', 'low']);
  });

  it('puts the sooner due first within a priority, undated last', () => {
    expect(
      order([
        item('undated', {}),
        item('later', { effectiveDueAt: at('5T00:00:00') }),
        item('sooner', { effectiveDueAt: at('2T00:00:00') }),
      ]),
    ).toEqual(['sooner', 'later', 'undated']);
  });

  it('puts an undated item after a dated one, compared either way round', () => {
    const dated = item('dated', { effectiveDueAt: at('9T00:00:00') });
    const undated = item('undated', {});
    expect(compareTodayItems(undated, dated)).toBeGreaterThan(0);
    expect(compareTodayItems(dated, undated)).toBeLessThan(0);
  });

  it('puts the older first when priority and due are equal', () => {
    expect(
      order([item('newer', { createdAt: at('3T00:00:00') }), item('older', { createdAt: at('2T00:00:00') })]),
    ).toEqual(['older', 'newer']);
  });

  it('breaks full ties by id', () => {
    expect(order([item('b', {}), item('a', {}), item('c', {})])).toEqual(['a', 'b', 'c']);
  });

  it('reports equal items as equal', () => {
    expect(compareTodayItems(item('a', {}), item('a', {}))).toBe(0);
  });
});
