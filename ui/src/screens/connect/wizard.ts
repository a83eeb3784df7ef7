// The connection wizard's logic, pure so it is tested without a page: the steps and what each
// needs before Next, the credential form made from a system's `auth.fields`, the catalog's
// filters, the credit arithmetic shown before connecting, and the magic link's mail draft.
import type { Category, Deployment, System } from '$lib/platform';
import { tier as tierName } from '$lib/format/numbers';

export type StepId =
  | 'customer'
  | 'system'
  | 'deployment'
  | 'credentials'
  | 'test'
  | 'entities'
  | 'schedule'
  | 'webhooks'
  | 'review';

export type Mode = 'connect' | 'reauthorize';

export const STEPS: readonly { id: StepId; label: string }[] = [
  { id: 'customer', label: 'Customer' },
  { id: 'system', label: 'System' },
  { id: 'deployment', label: 'Deployment' },
  { id: 'credentials', label: 'Credentials' },
  { id: 'test', label: 'Test' },
  { id: 'entities', label: 'Entities' },
  { id: 'schedule', label: 'Sync schedule' },
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'review', label: 'Review' },
];

/** A reauthorization keeps the customer, system, deployment and settings: only new credentials. */
const REAUTHORIZE_STEPS: readonly StepId[] = ['credentials', 'test', 'review'];

export function stepsFor(mode: Mode): { id: StepId; label: string }[] {
  return mode === 'connect' ? [...STEPS] : STEPS.filter((s) => REAUTHORIZE_STEPS.includes(s.id));
}

// --- Credentials form ---------------------------------------------------------------------

export interface FormField {
  name: string;
  label: string;
  help: string;
  required: boolean;
  secret: boolean;
  /** Names the account or instance (a host, a tenant): changing it on reauthorize is checked. */
  identity: boolean;
  /** The input's type: secrets are masked until revealed. */
  input: 'text' | 'password' | 'url';
  autocomplete: 'new-password' | 'off';
}

/** The form for a system's auth method, in the catalog's order. */
export function formFor(system: Pick<System, 'auth'>): FormField[] {
  return system.auth.fields.map((f) => ({
    name: f.name,
    label: f.label,
    help: f.help,
    required: f.required,
    secret: f.secret,
    identity: f.identity,
    input: f.secret ? 'password' : /(^|_)url$/.test(f.name) ? 'url' : 'text',
    autocomplete: f.secret ? 'new-password' : 'off',
  }));
}

export type FieldErrors = Record<string, string>;

/** What is wrong with each field, in words for the field; empty when the form may be sent. */
export function validateCredentials(
  fields: FormField[],
  values: Record<string, string>,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const f of fields) {
    const value = (values[f.name] ?? '').trim();
    if (!value) {
      if (f.required) errors[f.name] = `${f.label} is required.`;
      continue;
    }
    if (f.input === 'url' || /(^|_)host$/.test(f.name)) {
      const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
      let ok = false;
      try {
        const u = new URL(candidate);
        ok = Boolean(u.hostname) && !/\s/.test(value);
      } catch {
        ok = false;
      }
      if (!ok) errors[f.name] = `${f.label} must be a host name or URL, such as erp.example.com.`;
    } else if (/\s/.test(value) && f.secret) {
      errors[f.name] = `${f.label} contains spaces; paste it again without them.`;
    }
  }
  return errors;
}

/** The values to send: trimmed, empty optional fields left out. */
export function credentialsToSend(
  fields: FormField[],
  values: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const value = (values[f.name] ?? '').trim();
    if (value) out[f.name] = value;
  }
  return out;
}

// --- Catalog --------------------------------------------------------------------------------

export interface CatalogFilter {
  search: string;
  category: Category | null;
  tier: number | null;
}

/** Search by name, vendor or id (every word must match), then category and tier. */
export function filterSystems(systems: System[], f: CatalogFilter): System[] {
  const words = f.search.toLowerCase().split(/\s+/).filter(Boolean);
  return systems.filter(
    (s) =>
      (f.category == null || s.category === f.category) &&
      (f.tier == null || s.tier === f.tier) &&
      words.every((w) => `${s.name} ${s.vendor} ${s.id}`.toLowerCase().includes(w)),
  );
}

export const CATEGORY_LABEL: Record<Category, string> = {
  erp: 'ERP',
  cmms: 'CMMS',
  eam: 'EAM',
  wms: 'WMS',
  other: 'Other',
};

export const DEPLOYMENT_LABEL: Record<Deployment, string> = {
  cloud: 'Cloud',
  on_premises: 'On-premises',
};

/** Makini's documented production egress addresses (makini-api.md), for the customer's firewall. */
export const EGRESS_ADDRESSES = [
  '15.204.75.108',
  '15.204.73.75',
  '15.204.77.147',
  '148.113.140.236',
  '51.79.101.4',
] as const;

// --- Credits --------------------------------------------------------------------------------

/** The credit rule (contract.md): Tier I 1, II 2, III 4; on-premises doubles. */
export const TIER_CREDITS = [1, 2, 4] as const;

export interface Pool {
  purchased: number;
  in_use: number;
  available: number;
  plan: string | null;
}

export interface CreditPreview {
  cost: number;
  /** "Tier III 4 credits × 2 on-premises = 8 credits" */
  sum: string;
  tierCredits: number;
  multiplier: 1 | 2;
  before: number;
  after: number;
  /** Not enough available: the connection will be created inactive. */
  short: boolean;
  /** A paid plan may activate it as overage. */
  overagePossible: boolean;
}

/**
 * What connecting costs and leaves. The catalog's own price is the truth (`credits[deployment]`);
 * the rule is shown as the sum that explains it.
 */
export function creditPreview(
  system: Pick<System, 'tier' | 'credits'>,
  deployment: Deployment,
  pool: Pool,
): CreditPreview {
  const tierCredits = TIER_CREDITS[system.tier - 1] ?? system.credits.cloud;
  const multiplier = deployment === 'on_premises' ? 2 : 1;
  const cost = system.credits[deployment];
  const unit = (n: number) => `${n} ${n === 1 ? 'credit' : 'credits'}`;
  const sum =
    multiplier === 2
      ? `${tierName(system.tier)} ${unit(tierCredits)} × 2 on-premises = ${unit(cost)}`
      : `${tierName(system.tier)} ${unit(tierCredits)}, cloud = ${unit(cost)}`;
  const short = pool.available < cost;
  return {
    cost,
    sum,
    tierCredits,
    multiplier,
    before: pool.available,
    after: short ? pool.available : pool.available - cost,
    short,
    overagePossible: short && pool.plan === 'paid',
  };
}

/** The cheapest deployment a system offers, for the catalog cards' "from N credits". */
export function cheapest(system: Pick<System, 'deployments' | 'credits'>): number {
  return Math.min(...system.deployments.map((d) => system.credits[d]));
}

// --- Sync settings and webhooks --------------------------------------------------------------

export const INTERVALS = [
  { minutes: 15, label: 'Every 15 minutes' },
  { minutes: 60, label: 'Every hour' },
  { minutes: 360, label: 'Every 6 hours' },
  { minutes: 1440, label: 'Daily' },
] as const;

export const HISTORY_WINDOWS = [
  { days: 30, label: '30 days' },
  { days: 60, label: '60 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
] as const;

export const WEBHOOK_EVENTS = [
  { type: 'sync.completed', label: 'Sync completed' },
  { type: 'sync.failed', label: 'Sync failed' },
  { type: 'connection.reauthorization_required', label: 'Authentication required' },
  { type: 'connection.status_changed', label: 'Status changed (online / offline)' },
  { type: 'system.error', label: 'System errors' },
  { type: 'connection.reauthorized', label: 'Reauthorized' },
  { type: 'connection.disconnected', label: 'Disconnected' },
] as const;

/** The empty string is "no webhook"; otherwise an http(s) URL. Null when fine. */
export function webhookUrlError(url: string): string | null {
  const u = url.trim();
  if (!u) return null;
  try {
    const parsed = new URL(u);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      return 'The webhook URL must start with https:// (or http:// for a local receiver).';
    return null;
  } catch {
    return 'The webhook URL is not a URL, such as https://hooks.example.com/makini.';
  }
}

// --- Step validation ------------------------------------------------------------------------

export interface Draft {
  customerId: string | null;
  system: System | null;
  deployment: Deployment | null;
  credentials: Record<string, string>;
  /** The test passed for exactly these credentials (a change invalidates it). */
  testedKey: string | null;
  /** Another account or instance than the connection's was confirmed (reauthorize). */
  identityConfirmed: boolean;
  identityMismatch: boolean;
  entities: string[];
  intervalMinutes: number;
  historyDays: number;
  webhookUrl: string;
  webhookEvents: string[];
  name: string;
}

export function emptyDraft(): Draft {
  return {
    customerId: null,
    system: null,
    deployment: null,
    credentials: {},
    testedKey: null,
    identityConfirmed: false,
    identityMismatch: false,
    entities: [],
    intervalMinutes: 60,
    historyDays: 90,
    webhookUrl: '',
    webhookEvents: [],
    name: '',
  };
}

/** A stable key of the credentials as they would be sent, so a test is tied to them. */
export function credentialsKey(values: Record<string, string>): string {
  return JSON.stringify(
    Object.entries(values)
      .map(([k, v]) => [k, v.trim()])
      .filter(([, v]) => v)
      .sort(([a], [b]) => (a! < b! ? -1 : 1)),
  );
}

/** Why Next is not possible on a step, in one sentence; null when it is. */
export function blocker(step: StepId, d: Draft): string | null {
  switch (step) {
    case 'customer':
      return d.customerId ? null : 'Pick a customer or create one.';
    case 'system':
      return d.system ? null : 'Pick the system to connect.';
    case 'deployment':
      if (!d.system) return 'Pick the system first.';
      if (!d.deployment) return 'Choose cloud or on-premises.';
      return d.system.deployments.includes(d.deployment)
        ? null
        : `${d.system.name} is not offered ${DEPLOYMENT_LABEL[d.deployment].toLowerCase()}.`;
    case 'credentials': {
      if (!d.system) return 'Pick the system first.';
      const errors = validateCredentials(formFor(d.system), d.credentials);
      const n = Object.keys(errors).length;
      return n === 0
        ? null
        : n === 1
          ? 'One field needs attention.'
          : `${n} fields need attention.`;
    }
    case 'test':
      if (d.testedKey !== credentialsKey(d.credentials))
        return 'Test the credentials before going on.';
      if (d.identityMismatch && !d.identityConfirmed)
        return 'Confirm that these credentials belong to this customer.';
      return null;
    case 'entities':
      return d.entities.length ? null : 'Choose at least one entity to sync.';
    case 'schedule':
      return d.intervalMinutes >= 5 && d.historyDays >= 1
        ? null
        : 'Choose an interval and a window.';
    case 'webhooks': {
      const error = webhookUrlError(d.webhookUrl);
      if (error) return error;
      if (d.webhookUrl.trim() && d.webhookEvents.length === 0)
        return 'Choose the events to send, or leave the URL empty.';
      return null;
    }
    case 'review':
      return d.name.trim() ? null : 'Name the connection.';
  }
}

/** The first step of `steps` that still blocks, before `index` (jumping ahead skips none). */
export function firstBlocked(steps: StepId[], index: number, d: Draft): number | null {
  for (let i = 0; i < Math.min(index, steps.length); i++) {
    if (blocker(steps[i]!, d)) return i;
  }
  return null;
}

/** A name to start from: "SAP ECC 6.0 (on-premises)". */
export function defaultName(system: Pick<System, 'name'>, deployment: Deployment | null): string {
  return deployment === 'on_premises' ? `${system.name} (on-premises)` : system.name;
}

// --- Magic link ------------------------------------------------------------------------------

/** A mailto: draft for the customer's IT admin, with the link and when it expires. */
export function mailtoDraft(opts: {
  to: string | null;
  customer: string;
  system: string | null;
  url: string;
  expires: string;
}): string {
  const what = opts.system ?? 'your system';
  const subject = `Connect ${what} to Makini`;
  const body = [
    'Hello,',
    '',
    `To connect ${what} for ${opts.customer}, open this link and enter the system's credentials:`,
    '',
    opts.url,
    '',
    `The link works until ${opts.expires}. It asks only for what the connection needs; no password is sent by email.`,
    '',
    'Thank you',
  ].join('\n');
  return `mailto:${encodeURIComponent(opts.to ?? '')}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}
