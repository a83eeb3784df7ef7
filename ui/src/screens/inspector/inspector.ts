// The inspector's pure logic: the filter form into the action's request, the markers a row
// shows, and how arrival order compares with created order.
import type {
  ListedWebhook,
  PageOrder,
  Processing,
  SignatureCheck,
  WebhookFilter,
} from '$lib/platform';

export type Since = 'any' | '1h' | '24h' | '7d';

export const SINCE_LABEL: Record<Since, string> = {
  any: 'Any time',
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
};

const HOURS: Record<Exclude<Since, 'any'>, number> = { '1h': 1, '24h': 24, '7d': 24 * 7 };

export interface FilterForm {
  search: string;
  eventType: string;
  connection: string;
  signature: SignatureCheck | '';
  processing: Processing | '';
  since: Since;
  hideDuplicates: boolean;
}

export function emptyForm(): FilterForm {
  return {
    search: '',
    eventType: '',
    connection: '',
    signature: '',
    processing: '',
    since: 'any',
    hideDuplicates: false,
  };
}

/** The form as the action's filter; blank fields are left out. */
export function toFilter(form: FilterForm, now: Date = new Date()): WebhookFilter {
  const text = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    search: text(form.search),
    event_type: text(form.eventType),
    connection_id: text(form.connection),
    signature: form.signature || null,
    processing: form.processing || null,
    received_after:
      form.since === 'any'
        ? null
        : new Date(now.getTime() - HOURS[form.since] * 3_600_000).toISOString(),
    hide_duplicates: form.hideDuplicates,
  };
}

export function isFiltered(form: FilterForm): boolean {
  const blank = emptyForm();
  return (Object.keys(blank) as (keyof FilterForm)[]).some((k) => form[k] !== blank[k]);
}

export const ORDER_LABEL: Record<PageOrder, string> = {
  received_newest: 'Received, newest first',
  received_oldest: 'Received, oldest first',
  created_newest: 'Created, newest first',
  created_oldest: 'Created, oldest first',
};

export function byCreated(order: PageOrder): boolean {
  return order === 'created_newest' || order === 'created_oldest';
}

/**
 * Whether a row arrived out of created order against its neighbour in the list: sorted by
 * created time, its arrival number runs against the one before it; sorted by arrival, its
 * created time does.
 */
export function arrivedOutOfOrder(
  row: ListedWebhook,
  previous: ListedWebhook | undefined,
  order: PageOrder,
): boolean {
  if (!previous) return false;
  const newestFirst = order === 'received_newest' || order === 'created_newest';
  if (byCreated(order)) {
    return newestFirst ? row.seq > previous.seq : row.seq < previous.seq;
  }
  if (!row.event_created_at || !previous.event_created_at) return false;
  const a = Date.parse(row.event_created_at);
  const b = Date.parse(previous.event_created_at);
  return newestFirst ? a > b : a < b;
}

export const SIGNATURE_LABEL: Record<SignatureCheck, string> = {
  valid: 'Valid',
  invalid: 'Invalid',
  missing: 'Missing',
  stale: 'Stale',
};

export const SIGNATURE_TONE: Record<SignatureCheck, 'green' | 'red' | 'amber'> = {
  valid: 'green',
  invalid: 'red',
  missing: 'red',
  stale: 'amber',
};

export const PROCESSING_TONE: Record<Processing, 'green' | 'red' | 'gray' | 'amber'> = {
  processed: 'green',
  failed: 'red',
  skipped: 'gray',
  pending: 'amber',
};

/** A header list as editable text, one `name: value` per line, and back. */
export function headersToText(headers: [string, string][]): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join('\n');
}

export function textToHeaders(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.indexOf(':');
      return at < 0
        ? ([line, ''] as [string, string])
        : ([line.slice(0, at).trim(), line.slice(at + 1).trim()] as [string, string]);
    });
}
