// The credit dashboard on the demo account: the pool, the forecast and a what-if; the pool over
// time with its ledger; breakdowns; a statement that meets the platform's balance; idle
// connections. Then a disconnect elsewhere shows up as the ledger's newest entry.
import { assert } from '../lib/harness.mjs';

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Credits', exact: true }).click();
  await page.getByRole('heading', { name: 'Credits', level: 1 }).waitFor();

  await page.getByRole('region', { name: 'Connection credits' }).getByText('Available').waitFor();
  const forecast = page.getByRole('region', { name: 'Forecast' });
  await forecast.getByText(/Runs out|Not running out|Out of credits/).waitFor();

  const ledger = page.getByRole('table', { name: 'Ledger' });
  await ledger.getByRole('row').nth(2).waitFor();
  const entries = await ledger.getByRole('row').count();
  assert(entries > 5, `the demo's ledger has entries (${entries - 1})`);
  await page
    .getByRole('img', {
      name: /Available credits after each of \d+ ledger entries/,
    })
    .waitFor();

  const statement = page.getByRole('region', { name: 'Monthly statement' });
  await statement.getByText('matches the platform').waitFor();

  // What-if: three SAP ECC on-premises connections, 8 credits each.
  const whatIf = page.getByRole('region', { name: 'What if we connect…' });
  await whatIf.getByRole('combobox', { name: 'System' }).selectOption('sap-ecc');
  await whatIf.getByRole('combobox', { name: 'Deployment' }).selectOption('on_premises');
  await whatIf.getByRole('spinbutton', { name: 'How many connections' }).fill('3');
  await whatIf.getByText('= 24 credits').waitFor();

  const breakdown = page.getByRole('region', { name: 'Who uses the credits' });
  await breakdown
    .getByRole('table', { name: 'Credits by customer' })
    .getByRole('row')
    .nth(1)
    .waitFor();
  await breakdown.getByRole('tab', { name: 'System' }).click();
  const bySystem = breakdown.getByRole('table', { name: 'Credits by system' });
  await bySystem.getByRole('row').nth(1).waitFor();
  // Sort by connections, most first.
  await bySystem.getByRole('button', { name: 'Connections' }).click();
  await bySystem.getByRole('button', { name: 'Connections' }).click();
  await bySystem
    .getByRole('columnheader', { name: 'Connections' })
    .and(page.locator('[aria-sort="descending"]'))
    .waitFor();
  await page
    .getByRole('region', { name: 'Idle connections' })
    .getByRole('table', { name: 'Idle connections' })
    .waitFor();
  await page.evaluate(() => document.querySelector('main')?.scrollTo(0, 0));
  await shot('dashboard');

  // A disconnect on a connection's page is the ledger's newest entry when we come back.
  await page.getByRole('navigation').getByRole('link', { name: 'Overview', exact: true }).click();
  await page
    .getByRole('group', { name: 'Filter by health' })
    .getByRole('button', { name: /^Healthy/ })
    .click();
  await page.waitForTimeout(500);
  const link = page.getByRole('table', { name: 'Connections' }).getByRole('link').first();
  const name = await link.innerText();
  await link.click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('dialog', { name: `Disconnect ${name}?` });
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText('returned to the pool').waitFor();

  await page.getByRole('navigation').getByRole('link', { name: 'Credits', exact: true }).click();
  const newest = page.getByRole('table', { name: 'Ledger' }).getByRole('row').nth(1);
  await newest.getByText('Disconnected').waitFor();
  await newest.getByText(name).waitFor();
  await page
    .getByRole('region', { name: 'Monthly statement' })
    .getByText('matches the platform')
    .waitFor();
  await page.getByRole('region', { name: 'Monthly statement' }).scrollIntoViewIfNeeded();
  await shot('after-disconnect');
}
