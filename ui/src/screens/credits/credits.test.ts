import { describe, expect, it } from 'vitest';
import type { LedgerLine } from '$lib/platform';
import {
  costRule,
  explain,
  monthLabel,
  poolSeries,
  sharePercent,
  statementMonths,
  whatIf,
} from './credits';

const sap = { credits: { cloud: 4, on_premises: 8 } };

function line(partial: Partial<LedgerLine>): LedgerLine {
  return {
    id: 'led_1',
    at: '2026-11-01T00:00:00Z',
    connection_id: null,
    delta: 0,
    overage_delta: 0,
    reason: 'purchase',
    balance_after: 0,
    connection_name: null,
    customer_id: null,
    customer_name: null,
    system_id: null,
    tier: null,
    deployment: null,
    ...partial,
  };
}

describe('what-if', () => {
  it('takes each connection from the pool until it is short', () => {
    expect(whatIf(20, sap, 'on_premises', 3)).toEqual({
      each: 8,
      cost: 24,
      fit: 2,
      inactive: 1,
      after: 4,
      short: 4,
    });
  });
  it('fits everything when the pool is large enough', () => {
    expect(whatIf(20, sap, 'cloud', 5)).toMatchObject({ fit: 5, inactive: 0, after: 0, short: 0 });
  });
  it('treats an empty or overdrawn pool as no room, and odd counts as whole connections', () => {
    expect(whatIf(0, sap, 'cloud', 1)).toMatchObject({ fit: 0, inactive: 1, after: 0, short: 4 });
    expect(whatIf(-3, sap, 'cloud', 1.7)).toMatchObject({
      fit: 0,
      inactive: 1,
      after: -3,
      short: 4,
    });
    expect(whatIf(10, sap, 'cloud', -2)).toMatchObject({ cost: 0, fit: 0, after: 10 });
  });
});

describe('the pool over time', () => {
  it('follows balance_after, with in use as purchased minus available', () => {
    const newestFirst = [
      line({
        id: 'c',
        at: '2026-11-03T00:00:00Z',
        reason: 'overage',
        overage_delta: 4,
        balance_after: 12,
      }),
      line({
        id: 'b',
        at: '2026-11-02T00:00:00Z',
        reason: 'connect',
        delta: -8,
        balance_after: 12,
      }),
      line({
        id: 'a',
        at: '2026-11-01T00:00:00Z',
        reason: 'purchase',
        delta: 20,
        balance_after: 20,
      }),
    ];
    const s = poolSeries(newestFirst);
    expect(s.lines.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(s.available).toEqual([20, 12, 12]);
    expect(s.inUse).toEqual([0, 8, 8]);
    expect(s.overage).toEqual([0, 0, 4]);
    expect(s.at[0]).toBe(Date.parse('2026-11-01T00:00:00Z') / 1000);
  });

  it('works a cut ledger back from the totals of now', () => {
    // 100 bought and 4 in overage before the two newest entries, which are all it holds.
    const newestFirst = [
      line({ id: 'c', reason: 'overage', delta: 0, overage_delta: 2, balance_after: 10 }),
      line({ id: 'b', reason: 'connect', delta: -8, balance_after: 10 }),
    ];
    const s = poolSeries(newestFirst, { purchased: 100, overage_in_use: 6 });
    expect(s.inUse).toEqual([90, 90]);
    expect(s.overage).toEqual([4, 6]);
    expect(poolSeries(newestFirst).inUse).toEqual([-10, -10]);
  });
});

describe('shares', () => {
  it('never shows a part that is there as 0%', () => {
    expect(sharePercent(57, 130_714)).toBe('<1%');
    expect(sharePercent(0, 130_714)).toBe('0%');
    expect(sharePercent(1, 2)).toBe('50%');
    expect(sharePercent(3, 0)).toBe('0%');
  });
});

describe('entries in words', () => {
  it('names the rule behind the cost', () => {
    expect(costRule({ tier: 3, deployment: 'on_premises', delta: -8, overage_delta: 0 })).toBe(
      'Tier III · on-premises = 8 credits',
    );
    expect(costRule({ tier: null, deployment: null, delta: 0, overage_delta: 1 })).toBe('1 credit');
  });
  it('explains a connection entry and a purchase', () => {
    const entry = line({
      reason: 'connect',
      delta: -8,
      balance_after: 12,
      connection_name: 'Mill ERP',
      system_id: 'sap-ecc',
      customer_name: 'Calder Steelworks',
      tier: 3,
      deployment: 'on_premises',
    });
    expect(explain(entry, () => 'SAP ECC')).toBe(
      'Connected: Mill ERP (SAP ECC) for Calder Steelworks. Tier III · on-premises = 8 credits, -8 to the pool; 12 available after',
    );
    expect(explain(line({ delta: 10, balance_after: 22 }), () => '')).toBe(
      '10 credits bought; 22 available after',
    );
  });
});

describe('statement months', () => {
  it('lists every month from the first entry to now, newest first', () => {
    expect(statementMonths('2026-10-15T00:00:00Z', new Date('2027-01-02T00:00:00Z'))).toEqual([
      '2027-01',
      '2026-12',
      '2026-11',
      '2026-10',
    ]);
    expect(statementMonths(null, new Date('2026-12-02T00:00:00Z'))).toEqual(['2026-12']);
    expect(monthLabel('2026-11')).toBe('November 2026');
  });
});
