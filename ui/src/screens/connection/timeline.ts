// The connection's one timeline (auth events, syncs, webhooks, credit changes), newest first,
// merged from the platform's events, the mirror's sync runs and the authorization history.
import { words } from '$lib/format/numbers';
import type { Tone } from '$lib/health';
import type { ConnectionDetail } from '$lib/platform';

export const TIMELINE_KINDS = ['auth', 'sync', 'webhook', 'credits', 'status'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const KIND_LABEL: Record<TimelineKind, string> = {
  auth: 'Authorization',
  sync: 'Syncs',
  webhook: 'Webhooks',
  credits: 'Credits',
  status: 'Status',
};

export interface TimelineItem {
  key: string;
  kind: TimelineKind;
  at: string;
  title: string;
  detail: string | null;
  tone: Tone;
}

/** Which kind a platform event type belongs to ("connection.reauthorized" -> auth). */
export function kindOfEvent(type: string): TimelineKind {
  if (type.includes('reauthoriz') || type === 'connection.created') return 'auth';
  if (type.startsWith('sync.')) return 'sync';
  if (type.startsWith('credits.') || type.includes('credit')) return 'credits';
  if (type.startsWith('webhook')) return 'webhook';
  return 'status';
}

function eventTone(type: string): Tone {
  if (type.endsWith('failed') || type.endsWith('error') || type.endsWith('required')) return 'red';
  if (type.endsWith('disconnected')) return 'gray';
  if (type.endsWith('low')) return 'amber';
  if (type.endsWith('completed') || type.endsWith('reauthorized')) return 'green';
  return 'blue';
}

function describe(data: unknown): string | null {
  if (data == null || typeof data !== 'object') return null;
  const parts = Object.entries(data as Record<string, unknown>)
    .filter(([, v]) => v != null && typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${words(k)}: ${String(v)}`);
  return parts.length ? parts.join(' · ') : null;
}

export function buildTimeline(detail: ConnectionDetail): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const e of detail.events) {
    items.push({
      key: `event:${e.id}`,
      // Every platform event reached us as a webhook or through catch-up of the event log;
      // auth, sync and credit events are filed under what they are about.
      kind: kindOfEvent(e.type),
      at: e.created_at,
      title: words(e.type),
      detail: describe(e.data),
      tone: eventTone(e.type),
    });
  }
  for (const run of detail.sync_runs) {
    const failed = run.state === 'failed' || run.state === 'interrupted';
    items.push({
      key: `run:${run.id}`,
      kind: 'sync',
      at: run.finished_at ?? run.started_at,
      title: `${words(run.entity)}: sync ${run.state}`,
      detail: failed ? (run.error ?? 'No reason was recorded') : `${run.records} records`,
      tone: failed ? 'red' : run.state === 'running' ? 'blue' : 'green',
    });
  }
  for (const [i, a] of detail.authorizations.entries()) {
    items.push({
      key: `auth:${i}:${a.token_issued_at}`,
      kind: 'auth',
      at: a.token_issued_at,
      title: i === detail.authorizations.length - 1 ? 'Authorized' : 'Reauthorized',
      detail: a.authorized_by ? `by ${a.authorized_by}` : null,
      tone: 'green',
    });
  }
  return items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
