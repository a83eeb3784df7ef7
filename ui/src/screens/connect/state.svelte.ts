// The wizard's state for one visit of /connect: the draft, where we are, the pool and the
// answers of the actions. Steps mutate it; the pure rules live in wizard.ts.
import {
  ActionFailure,
  call,
  type AccountSummary,
  type ConnectionCreated,
  type ConnectionReauthorized,
  type ConnectionView,
  type Customer,
  type MagicLink,
  type System,
  type TestResult,
} from '$lib/platform';
import {
  blocker,
  credentialsKey,
  credentialsToSend,
  creditPreview,
  defaultName,
  emptyDraft,
  firstBlocked,
  formFor,
  stepsFor,
  type CreditPreview,
  type Draft,
  type Mode,
  type StepId,
} from './wizard';

export type Outcome =
  | { kind: 'connected'; created: ConnectionCreated }
  | { kind: 'reauthorized'; answer: ConnectionReauthorized }
  | { kind: 'magic_link'; link: MagicLink; customer: Customer | null; system: System | null };

export class ConnectWizard {
  readonly mode: Mode;
  readonly steps: { id: StepId; label: string }[];
  index = $state(0);
  draft: Draft = $state(emptyDraft());
  /** The customer picked or created, for names in the review and the magic link mail. */
  customer = $state<Customer | null>(null);
  /** The connection being reauthorized. */
  connection = $state<ConnectionView | null>(null);
  loadError = $state<unknown>(null);
  account = $state<AccountSummary | null>(null);
  test = $state<TestResult | null>(null);
  /** The credentials the last test ran with (passed or not). */
  lastTestKey = $state<string | null>(null);
  testing = $state(false);
  testError = $state<unknown>(null);
  /** Show field errors from the first attempt at Next on (not while typing the first time). */
  showErrors = $state(false);
  pending = $state(false);
  submitError = $state<unknown>(null);
  /** The core asked for a confirmation (a reauthorization to another account). */
  confirmNeeded = $state<string | null>(null);
  outcome = $state<Outcome | null>(null);
  useMagicLink = $state(false);
  magicLinkDays = $state(7);

  constructor(mode: Mode) {
    this.mode = mode;
    this.steps = stepsFor(mode);
  }

  get step(): StepId {
    return this.steps[this.index]!.id;
  }

  get blocked(): string | null {
    if (this.step === 'credentials' && this.useMagicLink) return null;
    return blocker(this.step, this.draft);
  }

  get preview(): CreditPreview | null {
    const { system, deployment } = this.draft;
    if (!system || !this.account) return null;
    const d = deployment ?? system.deployments[0] ?? 'cloud';
    const c = this.account.credits;
    return creditPreview(system, d, {
      purchased: c.purchased,
      in_use: c.in_use,
      available: c.available,
      plan: this.account.account?.plan ?? null,
    });
  }

  async loadAccount(): Promise<void> {
    try {
      this.account = await call('account_summary', {});
    } catch (thrown) {
      console.warn('account_summary failed; the credit preview waits', thrown);
    }
  }

  /** Reauthorize: the connection, and its system from the catalog. */
  async loadConnection(id: string, systems: () => Map<string, System>): Promise<void> {
    try {
      const c = await call('connection_show', { id });
      this.connection = c;
      this.customer = c.customer;
      this.draft.customerId = c.customer_id;
      this.draft.deployment = c.deployment;
      this.draft.name = c.name;
      this.draft.system = c.system_id ? (systems().get(c.system_id) ?? null) : null;
      if (!this.draft.system && c.system_id) {
        const catalog = await call('systems_list', { search: c.system_id });
        this.draft.system = catalog.systems.find((s) => s.id === c.system_id) ?? null;
      }
      this.loadError = null;
    } catch (thrown) {
      this.loadError = thrown;
    }
  }

  pickSystem(system: System): void {
    const changed = this.draft.system?.id !== system.id;
    this.draft.system = system;
    if (changed) {
      this.draft.credentials = {};
      this.draft.testedKey = null;
      this.test = null;
      this.draft.entities = Object.entries(system.entities)
        .filter(([, cap]) => cap.read)
        .map(([name]) => name);
      this.draft.deployment = system.deployments.length === 1 ? system.deployments[0]! : null;
      this.draft.name = '';
    }
  }

  next(): void {
    if (this.blocked) {
      this.showErrors = true;
      return;
    }
    this.showErrors = false;
    if (this.step === 'deployment' && this.draft.system && !this.draft.name)
      this.draft.name = defaultName(this.draft.system, this.draft.deployment);
    if (this.index < this.steps.length - 1) this.index++;
    // Arriving at the test step starts the test: the user came here to run it.
    if (this.step === 'test' && this.draft.testedKey !== credentialsKey(this.draft.credentials))
      void this.runTest();
  }

  back(): void {
    this.showErrors = false;
    if (this.index > 0) this.index--;
  }

  /** Jumps to a step already reachable (every earlier step passes). */
  goto(i: number): void {
    const ids = this.steps.map((s) => s.id);
    const stop = firstBlocked(ids, i, this.draft);
    this.index = stop ?? i;
    this.showErrors = stop != null;
  }

  reachable(i: number): boolean {
    return (
      firstBlocked(
        this.steps.map((s) => s.id),
        i,
        this.draft,
      ) == null
    );
  }

  async runTest(): Promise<void> {
    const { system, deployment } = this.draft;
    if (!system || this.testing) return;
    const credentials = credentialsToSend(formFor(system), this.draft.credentials);
    const key = credentialsKey(this.draft.credentials);
    this.testing = true;
    this.lastTestKey = key;
    this.testError = null;
    this.test = null;
    this.draft.testedKey = null;
    this.draft.identityMismatch = false;
    this.draft.identityConfirmed = false;
    try {
      const result =
        this.mode === 'reauthorize' && this.connection
          ? await call('connection_test', { id: this.connection.id, credentials })
          : await call('connection_test', {
              system_id: system.id,
              deployment: deployment ?? 'cloud',
              credentials,
            });
      this.test = result;
      const failing = result.checks.filter((c) => !c.ok);
      // Another account is not a failure of the credentials: it needs a person to confirm.
      const onlyIdentity = failing.length > 0 && failing.every((c) => c.name === 'same_account');
      this.draft.identityMismatch = failing.some((c) => c.name === 'same_account');
      if (result.ok || onlyIdentity) this.draft.testedKey = key;
    } catch (thrown) {
      this.testError = thrown;
    } finally {
      this.testing = false;
    }
  }

  async connect(): Promise<void> {
    const d = this.draft;
    if (this.pending || !d.system || !d.customerId || !d.deployment) return;
    if (blocker('review', d)) {
      this.showErrors = true;
      return;
    }
    this.pending = true;
    this.submitError = null;
    try {
      const created = await call('connection_create', {
        customer_id: d.customerId,
        system_id: d.system.id,
        deployment: d.deployment,
        name: d.name.trim(),
        credentials: credentialsToSend(formFor(d.system), d.credentials),
        sync: {
          entities: d.entities,
          interval_minutes: d.intervalMinutes,
          history_days: d.historyDays,
        },
        webhook: d.webhookUrl.trim() ? { url: d.webhookUrl.trim(), events: d.webhookEvents } : null,
      });
      this.outcome = { kind: 'connected', created };
    } catch (thrown) {
      this.submitError = thrown;
    } finally {
      this.pending = false;
    }
  }

  async reauthorize(confirm = false): Promise<void> {
    const d = this.draft;
    if (this.pending || !this.connection || !d.system) return;
    this.pending = true;
    this.submitError = null;
    this.confirmNeeded = null;
    try {
      const answer = await call('connection_reauthorize', {
        id: this.connection.id,
        credentials: credentialsToSend(formFor(d.system), d.credentials),
        confirm_identity_change: confirm || d.identityConfirmed,
      });
      this.outcome = { kind: 'reauthorized', answer };
    } catch (thrown) {
      if (thrown instanceof ActionFailure && thrown.code === 'CONFIRMATION_REQUIRED')
        this.confirmNeeded = thrown.message;
      else this.submitError = thrown;
    } finally {
      this.pending = false;
    }
  }

  async magicLink(): Promise<void> {
    const d = this.draft;
    if (this.pending || !d.customerId) return;
    this.pending = true;
    this.submitError = null;
    try {
      const name =
        d.name.trim() || (d.system ? defaultName(d.system, d.deployment) : 'New connection');
      const link = await call('magic_link_create', {
        customer_id: d.customerId,
        system_id: d.system?.id ?? null,
        name,
        expires_in_days: this.magicLinkDays,
      });
      this.outcome = { kind: 'magic_link', link, customer: this.customer, system: d.system };
    } catch (thrown) {
      this.submitError = thrown;
    } finally {
      this.pending = false;
    }
  }
}
