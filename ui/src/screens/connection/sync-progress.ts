// Live progress of one connection's sync, folded from the event stream. Pure, so the folding
// is tested without a stream.
import type { DeskEvent } from '$lib/platform';

export type EntityState = 'queued' | 'syncing' | 'completed' | 'failed';

export interface EntityProgress {
  entity: string;
  records: number;
  state: EntityState;
  error: string | null;
}

export interface SyncProgressState {
  phase: 'idle' | 'running' | 'finished' | 'failed';
  entities: EntityProgress[];
  records: number;
  failures: number;
  skipped: string | null;
}

export function startProgress(entities: string[]): SyncProgressState {
  return {
    phase: 'running',
    entities: entities.map((entity) => ({ entity, records: 0, state: 'queued', error: null })),
    records: 0,
    failures: 0,
    skipped: null,
  };
}

function upsert(
  list: EntityProgress[],
  entity: string,
  change: Partial<EntityProgress>,
): EntityProgress[] {
  const found = list.some((e) => e.entity === entity);
  const base = found
    ? list
    : [...list, { entity, records: 0, state: 'queued' as const, error: null }];
  return base.map((e) => (e.entity === entity ? { ...e, ...change } : e));
}

/** Applies one event if it concerns `connectionId`; other connections' events pass by. */
export function applyEvent(
  s: SyncProgressState,
  connectionId: string,
  event: DeskEvent,
): SyncProgressState {
  switch (event.type) {
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

/** The action's answer closes the run: every entity still open is settled. */
export function finishProgress(
  s: SyncProgressState,
  result: { records: number; failures: number },
): SyncProgressState {
  const entities = s.entities.map((e) =>
    e.state === 'queued' || e.state === 'syncing' ? { ...e, state: 'completed' as const } : e,
  );
  return {
    ...s,
    entities,
    records: result.records,
    failures: result.failures,
    phase: result.failures > 0 || s.skipped ? 'failed' : 'finished',
  };
}
