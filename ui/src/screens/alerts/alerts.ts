// The alert queue's words and small rules, kept out of the components so they are tested.
import type { AlertKind, AlertSource, AlertState, AlertView } from '$lib/platform';

export const KIND_LABEL: Record<AlertKind, string> = {
  reauthorization_required: 'Reauthorization required',
  offline: 'Offline',
  sync_failing: 'Syncs failing',
  system_error: 'System error',
  credits_low: 'Credits low',
};

export const STATE_LABEL: Record<AlertState, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  customer_notified: 'Customer notified',
  resolved: 'Resolved',
};

export const SOURCE_LABEL: Record<AlertSource, string> = {
  webhook: 'Webhook',
  poll: 'Status poll',
  api_error: 'Failed call',
};

export const STATE_TONE: Record<AlertState, 'red' | 'amber' | 'accent' | 'green'> = {
  open: 'red',
  acknowledged: 'amber',
  customer_notified: 'accent',
  resolved: 'green',
};

/** "45m", "3h", "2d": how long an alert has been open. */
export function age(seconds: number): string {
  if (seconds < 3600) return `${Math.max(0, Math.floor(seconds / 60))}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** The customers the queue names, for its filter, sorted by name. */
export function customersOf(alerts: AlertView[]): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const a of alerts) {
    if (a.customer_id && !seen.has(a.customer_id))
      seen.set(a.customer_id, a.customer_name ?? a.customer_id);
  }
  return [...seen].map(([id, name]) => ({ id, name })).sort((x, y) => x.name.localeCompare(y.name));
}

/** Alerts that can still be acknowledged (bulk acknowledge skips the others). */
export function acknowledgeable(alerts: AlertView[], ids: Set<string>): string[] {
  return alerts
    .filter((a) => ids.has(a.id) && a.state !== 'resolved' && a.acknowledged_at == null)
    .map((a) => a.id);
}
