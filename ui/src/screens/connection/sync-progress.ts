// Live progress of one connection's sync, folded from the event stream and closed by the
// action's SyncReport. Pure, so the folding is tested without a stream.
import type { DeskEvent, SyncReport } from '$lib/platform';

export type EntityState = 'queued' | 'syncing' | 'completed' | 'failed';

export interface EntityProgress {
  entity: string;
  records: number;
  /** What the platform expects this walk to bring; null when it cannot say. */
  expected: number | null;
  state: EntityState;
  errorCode: string | null;
  error: string | null;
}

export interface SyncProgressState {
  phase: 'running' | 'finished' | 'failed';
  entities: EntityProgress[];
  records: number;
  failures: number;
  skipped: string | null;
}

export function startProgress(entities: string[]): SyncProgressState {
  return {
    phase: 'running',
    entities: entities.map((entity) => blank(entity)),
    records: 0,
    failures: 0,
    skipped: null,
  };
}

function blank(entity: string): EntityProgress {
  return { entity, records: 0, expected: null, state: 'queued', errorCode: null, error: null };
}

function upsert(
  list: EntityProgress[],
  entity: string,
  change: Partial<EntityProgress>,
): EntityProgress[] {
  const base = list.some((e) => e.entity === entity) ? list : [...list, blank(entity)];
  return base.map((e) => (e.entity === entity ? { ...e, ...change } : e));
}

/** The share done, 0..1, or null while the total is unknown (the bar is indeterminate). */
export function fraction(e: EntityProgress): number | null {
  if (e.state === 'completed' || e.state === 'failed') return 1;
  if (e.expected == null || e.expected <= 0) return null;
  return Math.min(1, e.records / e.expected);
}

/** Applies one event if it concerns `connectionId`; other connections' events pass by. */
export function applyEvent(
  s: SyncProgressState,
  connectionId: string,
  event: DeskEvent,
): SyncProgressState {
  switch (event.type) {
    case 'entity_sync_started':
      if (event.connection_id !== connectionId) return s;
      return {
        ...s,
        entities: upsert(s.entities, event.entity, {
          state: 'syncing',
          records: 0,
          expected: event.expected_records,
        }),
      };
    case 'records_pulled':
      if (event.connection_id !== connectionId) return s;
      return {
        ...s,
        entities: upsert(s.entities, event.entity, { records: event.records, state: 'syncing' }),
      };
    case 'entity_synced': {
      if (event.connection_id !== connectionId) return s;
      const failed = event.state !== 'completed';
      return {
        ...s,
        entities: upsert(s.entities, event.entity, {
          records: event.records,
          state: failed ? 'failed' : 'completed',
          error: event.error,
        }),
      };
    }
    case 'connection_skipped':
      if (event.connection_id !== connectionId) return s;
      return { ...s, skipped: event.reason };
    default:
      return s;
  }
}

/** The report is the truth: every entity it names is settled as it says. */
export function finishProgress(
  s: SyncProgressState,
  connectionId: string,
  report: SyncReport,
): SyncProgressState {
  let entities = s.entities;
  let records = 0;
  let failures = 0;
  for (const e of report.entities.filter((r) => r.connection_id === connectionId)) {
    const failed = e.state !== 'completed';
    const pulled = e.inserted + e.updated + e.unchanged;
    records += pulled;
    if (failed) failures++;
    entities = upsert(entities, e.entity, {
      state: failed ? 'failed' : 'completed',
      records: pulled,
      errorCode: e.error_code,
      error: e.error,
    });
  }
  // An entity the report does not name was not pulled in this run.
  entities = entities.map((e) =>
    e.state === 'queued' || e.state === 'syncing' ? { ...e, state: 'completed' } : e,
  );
  const skipped = report.skipped.find((k) => k.connection_id === connectionId)?.reason ?? s.skipped;
  return {
    entities,
    records,
    failures,
    skipped,
    phase: failures > 0 || skipped ? 'failed' : 'finished',
  };
}
