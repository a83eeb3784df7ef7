import { describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '$lib/platform';
import { buildTimeline, kindOfEvent } from './timeline';
import { applyEvent, finishProgress, startProgress } from './sync-progress';

const detail = {
  events: [
    {
      id: 'e1',
      type: 'connection.reauthorization_required',
      created_at: '2026-12-01T10:00:00Z',
      data: { reason: 'token expired' },
    },
    { id: 'e2', type: 'credits.low', created_at: '2026-12-02T09:00:00Z', data: {} },
  ],
  sync_runs: [
    {
      id: 7,
      connection_id: 'c',
      entity: 'work_orders',
      started_at: '2026-12-02T08:00:00Z',
      finished_at: '2026-12-02T08:01:00Z',
      state: 'failed',
      records: 0,
      error: 'SYSTEM_UNAVAILABLE: host down',
    },
  ],
  authorizations: [
    { authorized_by: 'ana@acme.test', token_issued_at: '2026-11-20T12:00:00Z' },
    { authorized_by: 'it@acme.test', token_issued_at: '2026-10-01T12:00:00Z' },
  ],
} as unknown as ConnectionDetail;

describe('timeline', () => {
  it('merges events, runs and authorizations newest first', () => {
    const items = buildTimeline(detail);
    expect(items.map((i) => i.key)).toEqual([
      'event:e2',
      'run:7',
      'event:e1',
      'auth:0:2026-11-20T12:00:00Z',
      'auth:1:2026-10-01T12:00:00Z',
    ]);
  });
  it('files events by what they are about and colors failures red', () => {
    const items = buildTimeline(detail);
    expect(items[0]).toMatchObject({ kind: 'credits', tone: 'amber', title: 'Credits low' });
    expect(items[1]).toMatchObject({
      kind: 'sync',
      tone: 'red',
      detail: 'SYSTEM_UNAVAILABLE: host down',
    });
    expect(items[2]).toMatchObject({ kind: 'auth', tone: 'red', detail: 'Reason: token expired' });
    expect(items[4]).toMatchObject({ title: 'Authorized', detail: 'by it@acme.test' });
    expect(items[3]!.title).toBe('Reauthorized');
    expect(kindOfEvent('connection.status_changed')).toBe('status');
  });
});

describe('sync progress', () => {
  it('follows one connection and ignores the others', () => {
    let s = startProgress(['assets', 'work_orders']);
    s = applyEvent(s, 'c1', {
      type: 'records_pulled',
      profile: 'p',
      connection_id: 'c1',
      entity: 'assets',
      records: 500,
      resumed: false,
    });
    s = applyEvent(s, 'c1', {
      type: 'records_pulled',
      profile: 'p',
      connection_id: 'c2',
      entity: 'assets',
      records: 9,
      resumed: false,
    });
    expect(s.entities[0]).toMatchObject({ state: 'syncing', records: 500 });
    s = applyEvent(s, 'c1', {
      type: 'entity_synced',
      profile: 'p',
      connection_id: 'c1',
      entity: 'assets',
      records: 800,
      state: 'completed',
      error: null,
    });
    s = applyEvent(s, 'c1', {
      type: 'entity_synced',
      profile: 'p',
      connection_id: 'c1',
      entity: 'vendors',
      records: 0,
      state: 'failed',
      error: 'RATE_LIMIT_EXCEEDED',
    });
    expect(s.entities.map((e) => [e.entity, e.state])).toEqual([
      ['assets', 'completed'],
      ['work_orders', 'queued'],
      ['vendors', 'failed'],
    ]);
    const done = finishProgress(s, { records: 800, failures: 1 });
    expect(done.phase).toBe('failed');
    expect(done.entities[1]!.state).toBe('completed');
  });
  it('ends finished when nothing failed', () => {
    expect(finishProgress(startProgress(['a']), { records: 3, failures: 0 }).phase).toBe(
      'finished',
    );
  });
});
