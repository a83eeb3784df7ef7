import { describe, expect, it } from 'vitest';
import type { SyncReport } from '$lib/platform';
import { applyEvent, finishProgress, fraction, startProgress } from './sync-progress';
import { splitError } from './timeline';

const p = 'local';

describe('sync progress', () => {
  it('follows one connection, with a real share when the total is known', () => {
    let s = startProgress(['assets', 'work_orders']);
    s = applyEvent(s, 'c1', {
      type: 'entity_sync_started',
      profile: p,
      connection_id: 'c1',
      entity: 'assets',
      expected_records: 2000,
      incremental: false,
    });
    s = applyEvent(s, 'c1', {
      type: 'records_pulled',
      profile: p,
      connection_id: 'c1',
      entity: 'assets',
      records: 500,
      resumed: false,
    });
    s = applyEvent(s, 'c1', {
      type: 'records_pulled',
      profile: p,
      connection_id: 'c2',
      entity: 'assets',
      records: 9,
      resumed: false,
    });
    expect(s.entities[0]).toMatchObject({ state: 'syncing', records: 500, expected: 2000 });
    expect(fraction(s.entities[0]!)).toBe(0.25);
    expect(fraction(s.entities[1]!)).toBeNull();
    s = applyEvent(s, 'c1', {
      type: 'entity_synced',
      profile: p,
      connection_id: 'c1',
      entity: 'vendors',
      records: 0,
      state: 'failed',
      error: 'rate limited',
    });
    expect(s.entities.map((e) => [e.entity, e.state])).toEqual([
      ['assets', 'syncing'],
      ['work_orders', 'queued'],
      ['vendors', 'failed'],
    ]);
  });
  it('closes on the report: its entities as it says, the rest settled', () => {
    const report = {
      profile: p,
      started_at: '',
      finished_at: '',
      customers: 0,
      connections: 1,
      ledger_entries_added: 0,
      skipped: [],
      entities: [
        {
          connection_id: 'c1',
          entity: 'assets',
          state: 'completed',
          resumed: false,
          modified_after: null,
          pages: 4,
          inserted: 10,
          updated: 5,
          unchanged: 1985,
          error_code: null,
          error: null,
        },
        {
          connection_id: 'c1',
          entity: 'vendors',
          state: 'failed',
          resumed: false,
          modified_after: null,
          pages: 0,
          inserted: 0,
          updated: 0,
          unchanged: 0,
          error_code: 'RATE_LIMIT_EXCEEDED',
          error: 'slow down',
        },
        {
          connection_id: 'c2',
          entity: 'assets',
          state: 'failed',
          resumed: false,
          modified_after: null,
          pages: 0,
          inserted: 0,
          updated: 0,
          unchanged: 0,
          error_code: 'X',
          error: 'x',
        },
      ],
    } satisfies SyncReport;
    const done = finishProgress(startProgress(['assets', 'work_orders']), 'c1', report);
    expect(done.phase).toBe('failed');
    expect(done.records).toBe(2000);
    expect(done.failures).toBe(1);
    expect(done.entities.find((e) => e.entity === 'vendors')).toMatchObject({
      errorCode: 'RATE_LIMIT_EXCEEDED',
      error: 'slow down',
    });
    expect(done.entities.find((e) => e.entity === 'work_orders')?.state).toBe('completed');
  });
  it('ends failed when the connection was skipped', () => {
    const report = {
      profile: p,
      started_at: '',
      finished_at: '',
      customers: 0,
      connections: 0,
      ledger_entries_added: 0,
      entities: [],
      skipped: [{ connection_id: 'c1', reason: 'reauthorization required' }],
    } satisfies SyncReport;
    const done = finishProgress(startProgress([]), 'c1', report);
    expect(done).toMatchObject({ phase: 'failed', skipped: 'reauthorization required' });
  });
});

describe('errors in words', () => {
  it('split a leading code from the words', () => {
    expect(splitError('SYSTEM_UNAVAILABLE: host down')).toEqual({
      code: 'SYSTEM_UNAVAILABLE',
      text: 'host down',
    });
    expect(splitError('it broke')).toEqual({ code: null, text: 'it broke' });
  });
});
