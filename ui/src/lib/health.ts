// One place decides what a connection's state means and which color says it, so the overview,
// the connection page, the palette and the filter chips can never disagree.
import type { ConnectionStatus } from './platform/contract';

export type Tone = 'green' | 'amber' | 'red' | 'gray' | 'violet' | 'blue';

/** The health facets the filter chips offer, in the order they are shown. */
export const HEALTH_KEYS = [
  'healthy',
  'syncing',
  'reauthorization',
  'offline',
  'pending',
  'overage',
  'inactive',
  'disconnected',
] as const;
export type HealthKey = (typeof HEALTH_KEYS)[number];

export interface Health {
  key: HealthKey;
  tone: Tone;
  label: string;
  /** One sentence for the tooltip and the connection page. */
  hint: string;
}

const HEALTH: Record<HealthKey, Omit<Health, 'key'>> = {
  healthy: { tone: 'green', label: 'Healthy', hint: 'Online, authorized and syncing on schedule.' },
  syncing: { tone: 'blue', label: 'Syncing', hint: 'A sync is pulling records right now.' },
  reauthorization: {
    tone: 'red',
    label: 'Reauthorize',
    hint: 'The token no longer works; the customer must reconnect.',
  },
  offline: { tone: 'red', label: 'Offline', hint: 'The platform cannot reach the system.' },
  pending: {
    tone: 'amber',
    label: 'Pending',
    hint: 'A magic link was sent; the customer has not finished connecting.',
  },
  overage: {
    tone: 'violet',
    label: 'Overage',
    hint: 'Active beyond the credit pool; billed as overage.',
  },
  inactive: {
    tone: 'gray',
    label: 'Inactive',
    hint: 'Created without credits; consumes none until activated.',
  },
  disconnected: {
    tone: 'gray',
    label: 'Disconnected',
    hint: 'Token invalid, syncs stopped, credits returned.',
  },
};

export interface HealthInput {
  status: ConnectionStatus;
  online: boolean;
  reauthorization_required: boolean;
}

/**
 * Broken beats everything else: a connection that needs reauthorization or is offline shows
 * red even while its status still says active, because that is what someone must act on.
 * Ended and unpaid states (disconnected, inactive, pending) do not sync, so they are not
 * reported as broken.
 */
export function healthOf(c: HealthInput): Health {
  const key = healthKey(c);
  return { key, ...HEALTH[key] };
}

function healthKey(c: HealthInput): HealthKey {
  switch (c.status) {
    case 'disconnected':
      return 'disconnected';
    case 'inactive':
      return 'inactive';
    case 'pending':
      return 'pending';
    default:
      break;
  }
  if (c.reauthorization_required) return 'reauthorization';
  if (!c.online) return 'offline';
  if (c.status === 'synchronizing' || c.status === 'in_progress') return 'syncing';
  if (c.status === 'overage') return 'overage';
  return 'healthy';
}

export function healthInfo(key: HealthKey): Health {
  return { key, ...HEALTH[key] };
}

const STATUS_LABEL: Record<ConnectionStatus, string> = {
  pending: 'Pending',
  synchronizing: 'Synchronizing',
  in_progress: 'In progress',
  active: 'Active',
  inactive: 'Inactive',
  overage: 'Overage',
  disconnected: 'Disconnected',
};

export const STATUSES = Object.keys(STATUS_LABEL) as ConnectionStatus[];

export function statusLabel(status: ConnectionStatus): string {
  return STATUS_LABEL[status] ?? status;
}

export function statusTone(status: ConnectionStatus): Tone {
  switch (status) {
    case 'active':
      return 'green';
    case 'synchronizing':
    case 'in_progress':
      return 'blue';
    case 'pending':
      return 'amber';
    case 'overage':
      return 'violet';
    default:
      return 'gray';
  }
}

/** Whether the connection holds credits now (they return to the pool on disconnect). */
export function holdsCredits(status: ConnectionStatus): boolean {
  return (
    status === 'active' ||
    status === 'synchronizing' ||
    status === 'in_progress' ||
    status === 'overage'
  );
}
