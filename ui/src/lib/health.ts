// One place decides which color and words say a connection's state, so the overview, the
// connection page, the palette and the filter chips never disagree. The health itself is the
// core's (desk-core's actions/health.rs derives it from status, online and reauthorization).
import type { ConnectionStatus, Health, Severity } from './platform/contract';

export type Tone = 'green' | 'amber' | 'red' | 'gray' | 'violet' | 'blue';

export interface HealthInfo {
  key: Health;
  tone: Tone;
  label: string;
  /** One sentence for the tooltip and the connection page. */
  hint: string;
}

// A Record over the generated union: a health the core adds fails to compile until named here.
const HEALTH: Record<Health, Omit<HealthInfo, 'key'>> = {
  healthy: { tone: 'green', label: 'Healthy', hint: 'Live, online and authorized.' },
  needs_reauthorization: {
    tone: 'red',
    label: 'Reauthorize',
    hint: 'The token no longer works; the customer must reconnect.',
  },
  offline: { tone: 'red', label: 'Offline', hint: 'Its system does not answer the platform.' },
  pending: {
    tone: 'amber',
    label: 'Pending',
    hint: 'A magic link waits for the customer’s IT admin.',
  },
  inactive: {
    tone: 'gray',
    label: 'Inactive',
    hint: 'Created without credits; not synced until activated.',
  },
  disconnected: {
    tone: 'gray',
    label: 'Disconnected',
    hint: 'Token invalid, syncs stopped; its data is kept.',
  },
};

/** The chips' order: what needs someone first, then the rest. */
export const HEALTH_KEYS: Health[] = [
  'needs_reauthorization',
  'offline',
  'pending',
  'healthy',
  'inactive',
  'disconnected',
];

export function healthInfo(key: Health): HealthInfo {
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

export function statusLabel(status: ConnectionStatus): string {
  return STATUS_LABEL[status];
}

/** Status colors: running work is blue, overage violet, as everywhere. */
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
    case 'inactive':
    case 'disconnected':
      return 'gray';
  }
}

const SEVERITY: Record<Severity, Tone> = {
  neutral: 'gray',
  good: 'green',
  attention: 'amber',
  broken: 'red',
};

export function severityTone(severity: Severity): Tone {
  return SEVERITY[severity];
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
