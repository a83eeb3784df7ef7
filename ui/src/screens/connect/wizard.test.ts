import { describe, expect, it } from 'vitest';
import type { System } from '$lib/platform';
import {
  blocker,
  cheapest,
  creditPreview,
  credentialsKey,
  credentialsToSend,
  emptyDraft,
  filterSystems,
  firstBlocked,
  formFor,
  mailtoDraft,
  stepsFor,
  validateCredentials,
  webhookUrlError,
  type Draft,
} from './wizard';

function system(over: Partial<System> = {}): System {
  return {
    id: 'sap-ecc',
    name: 'SAP ECC 6.0',
    vendor: 'SAP SE',
    category: 'erp',
    tier: 3,
    deployments: ['on_premises'],
    credits: { cloud: 4, on_premises: 8 },
    auth: {
      kind: 'basic',
      fields: [
        {
          name: 'host',
          label: 'Host',
          secret: false,
          required: true,
          help: 'The host',
          identity: true,
        },
        {
          name: 'client',
          label: 'Client',
          secret: false,
          required: true,
          help: '3 digits',
          identity: true,
        },
        {
          name: 'password',
          label: 'Password',
          secret: true,
          required: true,
          help: '',
          identity: false,
        },
        {
          name: 'language',
          label: 'Language',
          secret: false,
          required: false,
          help: '',
          identity: false,
        },
        {
          name: 'service_url',
          label: 'Service URL',
          secret: false,
          required: false,
          help: '',
          identity: false,
        },
      ],
    },
    entities: {
      'purchase-orders': { read: true, create: true, update: true, delete: false },
      vendors: { read: true, create: false, update: false, delete: false },
    },
    rate_limit_per_minute: 60,
    ...over,
  };
}

describe('the credentials form', () => {
  it('is made from auth.fields in order, secrets masked, required marked', () => {
    const form = formFor(system());
    expect(form.map((f) => f.name)).toEqual([
      'host',
      'client',
      'password',
      'language',
      'service_url',
    ]);
    expect(form.find((f) => f.name === 'password')).toMatchObject({
      input: 'password',
      secret: true,
      autocomplete: 'new-password',
    });
    expect(form.find((f) => f.name === 'host')).toMatchObject({
      input: 'text',
      required: true,
      identity: true,
      help: 'The host',
    });
    expect(form.find((f) => f.name === 'service_url')?.input).toBe('url');
  });

  it('names each missing required field and ignores optional empty ones', () => {
    const form = formFor(system());
    const errors = validateCredentials(form, { host: 'erp.acme.example', client: ' ' });
    expect(errors).toEqual({ client: 'Client is required.', password: 'Password is required.' });
  });

  it('refuses a host that is not a host and a secret with spaces', () => {
    const form = formFor(system());
    const errors = validateCredentials(form, {
      host: 'not a host',
      client: '100',
      password: 'two words',
      service_url: 'https://',
    });
    expect(Object.keys(errors).sort()).toEqual(['host', 'password', 'service_url']);
    expect(errors.host).toMatch(/host name or URL/);
  });

  it('sends trimmed values and leaves empty optional fields out', () => {
    const form = formFor(system());
    expect(
      credentialsToSend(form, { host: ' erp ', client: '100', password: 'x', language: '' }),
    ).toEqual({
      host: 'erp',
      client: '100',
      password: 'x',
    });
  });
});

describe('the credit preview', () => {
  const pool = { purchased: 63, in_use: 50, available: 13, plan: 'paid' };

  it('shows tier x deployment as a sum and what the pool keeps', () => {
    const p = creditPreview(system(), 'on_premises', pool);
    expect(p.cost).toBe(8);
    expect(p.sum).toBe('Tier III 4 credits × 2 on-premises = 8 credits');
    expect([p.before, p.after, p.short]).toEqual([13, 5, false]);
  });

  it('says a cloud connection costs its tier', () => {
    const p = creditPreview(
      system({ tier: 1, credits: { cloud: 1, on_premises: 2 } }),
      'cloud',
      pool,
    );
    expect(p.sum).toBe('Tier I 1 credit, cloud = 1 credit');
    expect(p.after).toBe(12);
  });

  it('when short: created inactive, nothing taken, overage only on a paid plan', () => {
    const short = { ...pool, available: 3 };
    expect(creditPreview(system(), 'on_premises', short)).toMatchObject({
      short: true,
      after: 3,
      overagePossible: true,
    });
    expect(
      creditPreview(system(), 'on_premises', { ...short, plan: 'trial' }).overagePossible,
    ).toBe(false);
  });

  it('takes exactly the pool when it is exactly enough', () => {
    expect(creditPreview(system(), 'on_premises', { ...pool, available: 8 })).toMatchObject({
      short: false,
      after: 0,
    });
  });

  it('cards show the cheapest offered deployment', () => {
    expect(cheapest(system())).toBe(8);
    expect(cheapest(system({ deployments: ['cloud', 'on_premises'] }))).toBe(4);
  });
});

describe('the catalog filters', () => {
  const all = [
    system(),
    system({
      id: 'upkeep',
      name: 'UpKeep',
      vendor: 'UpKeep Technologies',
      category: 'cmms',
      tier: 1,
    }),
    system({ id: 'odoo', name: 'Odoo', vendor: 'Odoo S.A.', category: 'erp', tier: 2 }),
  ];
  it('searches name, vendor and id, every word', () => {
    expect(
      filterSystems(all, { search: 'sap', category: null, tier: null }).map((s) => s.id),
    ).toEqual(['sap-ecc']);
    expect(
      filterSystems(all, { search: 'technologies', category: null, tier: null }).map((s) => s.id),
    ).toEqual(['upkeep']);
    expect(
      filterSystems(all, { search: 'odoo s.a.', category: null, tier: null }).map((s) => s.id),
    ).toEqual(['odoo']);
  });
  it('filters by category and tier', () => {
    expect(
      filterSystems(all, { search: '', category: 'erp', tier: null }).map((s) => s.id),
    ).toEqual(['sap-ecc', 'odoo']);
    expect(filterSystems(all, { search: '', category: 'erp', tier: 2 }).map((s) => s.id)).toEqual([
      'odoo',
    ]);
  });
});

describe('step validation', () => {
  function ready(): Draft {
    const d = emptyDraft();
    d.customerId = 'cus_1';
    d.system = system();
    d.deployment = 'on_premises';
    d.credentials = { host: 'erp.acme.example', client: '100', password: 'pw' };
    d.testedKey = credentialsKey(d.credentials);
    d.entities = ['vendors'];
    d.name = 'Mill ERP';
    return d;
  }

  it('every step of a complete draft lets Next through', () => {
    const d = ready();
    for (const s of stepsFor('connect')) expect(blocker(s.id, d), s.id).toBeNull();
  });

  it('a deployment the system does not offer blocks', () => {
    const d = ready();
    d.deployment = 'cloud';
    expect(blocker('deployment', d)).toMatch(/not offered cloud/);
  });

  it('changing the credentials after the test asks for a new test', () => {
    const d = ready();
    d.credentials = { ...d.credentials, password: 'other' };
    expect(blocker('test', d)).toMatch(/Test the credentials/);
  });

  it('a different account needs confirmation before going on', () => {
    const d = ready();
    d.identityMismatch = true;
    expect(blocker('test', d)).toMatch(/Confirm/);
    d.identityConfirmed = true;
    expect(blocker('test', d)).toBeNull();
  });

  it('a webhook URL needs events and must be a URL', () => {
    const d = ready();
    d.webhookUrl = 'https://hooks.example.com/in';
    expect(blocker('webhooks', d)).toMatch(/events/);
    d.webhookEvents = ['sync.completed'];
    expect(blocker('webhooks', d)).toBeNull();
    expect(webhookUrlError('ftp://x')).toMatch(/https/);
    expect(webhookUrlError('nope')).toMatch(/not a URL/);
  });

  it('finds the first step that still blocks before a jump', () => {
    const d = ready();
    d.entities = [];
    const ids = stepsFor('connect').map((s) => s.id);
    expect(firstBlocked(ids, ids.indexOf('review'), d)).toBe(ids.indexOf('entities'));
    expect(firstBlocked(ids, ids.indexOf('entities'), d)).toBeNull();
  });

  it('reauthorizing has only credentials, test and review', () => {
    expect(stepsFor('reauthorize').map((s) => s.id)).toEqual(['credentials', 'test', 'review']);
  });
});

describe('the magic link mail', () => {
  it('is a mailto: with the link and the expiry', () => {
    const href = mailtoDraft({
      to: 'it@acme.example',
      customer: 'Acme',
      system: 'SAP ECC 6.0',
      url: 'https://link.example/ml_1',
      expires: '9 Dec 2026',
    });
    expect(
      href.startsWith(
        'mailto:it%40acme.example?subject=Connect%20SAP%20ECC%206.0%20to%20Makini&body=',
      ),
    ).toBe(true);
    const body = decodeURIComponent(href.split('&body=')[1]!);
    expect(body).toContain('https://link.example/ml_1');
    expect(body).toContain('until 9 Dec 2026');
  });
});
