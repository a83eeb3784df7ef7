// The connection wizard end to end: create a customer inline, connect SAP ECC on-premises,
// see the credit cost before connecting, the token once, the initial sync per entity, and the
// connection page. A double click on Connect creates one connection. On the credit dashboard
// the 8 credits have left the pool, the ledger's newest entry is the connection's, and the
// forecast has moved.
import { assert, assertEqual, poolAvailable, waitUntil } from '../lib/harness.mjs';

// A field's message is shown by the UI; the 400s behind a refused Next never happen here.
export const expectedConsole = [];

async function action(page, name, request) {
  return page.evaluate(
    async ([n, r]) => {
      const res = await fetch(`/api/actions/${n}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(r),
      });
      return res.json();
    },
    [name, request],
  );
}

async function openCredits(page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Credits', exact: true }).click();
  await page.getByRole('heading', { name: 'Credits', level: 1 }).waitFor();
  const forecast = page.getByRole('region', { name: 'Forecast' });
  await forecast.getByText(/Runs out|Not running out|Out of credits/).waitFor();
  return {
    available: await poolAvailable(page),
    forecast: await forecast.innerText(),
  };
}

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  // The demo's pool is nearly spent; the local engine's sandbox buys room for 8 credits.
  await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();
  await action(page, 'sandbox_account', { purchase_credits: 16, plan: null });
  const before = await openCredits(page);
  assert(before.available >= 8, `room in the pool: ${before.available}`);
  await page.getByRole('navigation').getByRole('link', { name: 'Overview', exact: true }).click();
  await page.getByRole('button', { name: 'Connect a system' }).click();
  await page.getByRole('heading', { name: 'Connect a system', level: 1 }).waitFor();
  const steps = page.getByRole('navigation', { name: 'Wizard steps' });
  await steps.getByRole('button', { name: /Customer/ }).waitFor();
  assertEqual(await steps.getByRole('listitem').count(), 9, 'steps listed');
  await page.getByRole('radiogroup', { name: 'Customers' }).waitFor();
  await shot('customer');

  // Create the customer inline; a missing name is said at the field.
  await page.getByRole('button', { name: 'New customer' }).click();
  const form = page.getByRole('form', { name: 'New customer' });
  await form.getByRole('button', { name: 'Create customer' }).click();
  await form.getByText('Name the customer.').waitFor();
  await form.getByLabel('Name *').fill('Northwind Foundry');
  await form.getByLabel('Email').fill('it@northwind.example');
  await shot('customer-new');
  await form.getByRole('button', { name: 'Create customer' }).click();

  // System: search, then the card shows tier and cost; the cost preview is a sum.
  await page.getByRole('heading', { name: 'Which system?' }).waitFor();
  await page.getByRole('searchbox', { name: 'Search systems' }).fill('SAP ECC');
  const card = page.getByRole('radio', { name: /SAP ECC 6\.0/ });
  await card.waitFor();
  assert((await card.innerText()).includes('8 credits'), 'the card shows its cost');
  assert((await card.innerText()).includes('Tier III'), 'the card shows its tier');
  await card.click();
  const cost = page.getByRole('region', { name: 'What this connection costs' }).first();
  await cost.getByText('This connection costs').waitFor();
  await cost.getByText('Tier III 4 credits × 2 on-premises = 8 credits').waitFor();
  await cost
    .getByText(
      new RegExp(
        `The pool goes from\\s+${before.available}\\s+to\\s+${before.available - 8}\\s+available`,
      ),
    )
    .waitFor();
  await shot('system');
  await page.getByRole('button', { name: 'Next' }).click();

  // Deployment: SAP ECC is on-premises only; the firewall addresses are listed.
  await page.getByRole('radio', { name: /On-premises/ }).waitFor();
  assertEqual(
    await page.getByRole('radio', { name: /On-premises/ }).getAttribute('aria-checked'),
    'true',
    'the only deployment is chosen',
  );
  await page
    .getByRole('list', { name: 'Makini egress addresses' })
    .getByText('15.204.75.108')
    .waitFor();
  await shot('deployment');
  await page.getByRole('button', { name: 'Next' }).click();

  // Credentials: Next with an empty form names every required field at the field.
  await page.getByRole('heading', { name: /Credentials for SAP ECC/ }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Application server host is required.').waitFor();
  await page.getByText('Password is required.').waitFor();
  await shot('credentials-errors');
  await page.getByLabel('Application server host').fill('not a host');
  await page.getByLabel('System number').fill('00');
  await page.getByLabel('Client', { exact: true }).fill('100');
  await page.getByLabel('Username').fill('MAKINI_RFC');
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('s3cret-pass');
  assertEqual(await password.getAttribute('type'), 'password', 'the secret is masked');
  await page.getByRole('button', { name: 'Show Password' }).click();
  assertEqual(await password.getAttribute('type'), 'text', 'revealed on request');
  await page.getByText('must be a host name or URL').waitFor();
  await page.getByLabel('Application server host').fill('ecc.northwind.example');
  await shot('credentials');
  await page.getByRole('button', { name: 'Next' }).click();

  // Test: runs on arrival, against the platform, before anything exists.
  await page.getByText('The credentials work.').waitFor();
  await shot('test');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('table', { name: 'Entities' }).waitFor();
  await shot('entities');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: 'Every hour' }).waitFor();
  await page.getByText('Every 6 hours').click();
  await page.getByText('30 days').click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Receiver URL').waitFor();
  await page.getByRole('button', { name: 'Next' }).click();

  // Review: the name, the cost again, then one connection for a double click.
  await page.getByRole('heading', { name: 'Review and connect' }).waitFor();
  assertEqual(
    await page.getByLabel('Connection name *').inputValue(),
    'SAP ECC 6.0 (on-premises)',
    'a name to start from',
  );
  await page.getByLabel('Connection name *').fill('Foundry ERP');
  await page
    .getByRole('region', { name: 'What this connection costs' })
    .getByText('8 credits')
    .first()
    .waitFor();
  await shot('review');
  await page.getByRole('button', { name: 'Connect', exact: true }).dblclick();

  const token = page.getByRole('region', { name: 'Connection token' });
  await token.waitFor({ timeout: 30000 });
  await token.getByText('it is shown this once').waitFor();
  const value = await token.getByLabel('Token', { exact: true }).innerText();
  assert(value.length > 20, 'the token is shown');
  await token.getByRole('button', { name: 'Copy token' }).waitFor();
  await shot('token');

  const listed = await action(page, 'connections_list', { search: 'Foundry ERP', offset: 0 });
  assertEqual(listed.total, 1, 'a double click created one connection');

  // Short pool on the demo's paid plan: activate as overage; then the initial sync runs.
  if (await page.getByText('Created inactive').isVisible()) {
    await page.getByRole('button', { name: 'Activate as overage' }).click();
  }
  const sync = page.getByRole('region', { name: 'Initial sync' });
  await sync.waitFor({ timeout: 30000 });
  await sync.getByRole('progressbar', { name: 'Purchase orders initial sync' }).waitFor();
  await shot('syncing');
  await waitUntil(
    async () => /Finished/.test(await sync.getByRole('status').innerText()),
    'the initial sync finished',
    120000,
  );
  await shot('synced');

  // The token is hidden for good on request; the connection page is one click away.
  await token.getByRole('button', { name: 'I copied it, hide the token' }).click();
  await page.getByText('will not be shown again').waitFor();
  await page.getByRole('link', { name: /Open the connection page/ }).click();
  await page.getByRole('heading', { name: 'Foundry ERP', level: 1 }).waitFor();
  assert(/\/connections\/conn_/.test(page.url()), `opened ${page.url()}`);
  await page.getByText('Northwind Foundry').first().waitFor();
  await shot('connection-page');

  // The dashboard: 8 credits fewer, the connection's entry newest, the forecast moved.
  const after = await openCredits(page);
  assertEqual(after.available, before.available - 8, 'available credits after connecting');
  const newest = page.getByRole('table', { name: 'Ledger' }).getByRole('row').nth(1);
  await newest.getByText('Foundry ERP').waitFor();
  assert(
    /-\s?8\b|−\s?8\b/.test(await newest.innerText()),
    `the entry takes 8: ${await newest.innerText()}`,
  );
  assert(
    after.forecast !== before.forecast,
    `the forecast moved: ${before.forecast} -> ${after.forecast}`,
  );
  await page
    .getByRole('region', { name: 'Monthly statement' })
    .getByText('matches the platform')
    .waitFor();
  await shot('credits-after-connect');
}
