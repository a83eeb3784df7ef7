// Open a connection, run a manual sync and watch its progress end in a result.
import { assert } from '../lib/harness.mjs';

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  await page
    .getByRole('group', { name: 'Filter by health' })
    .getByRole('button', { name: /^Healthy/ })
    .click();
  const table = page.getByRole('table', { name: 'Connections' });
  await page.waitForTimeout(500);
  const link = table.getByRole('link').first();
  const name = await link.innerText();
  await link.click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  assert(/\/connections\/.+/.test(page.url()), `the row opened ${page.url()}`);
  await page.getByRole('table', { name: 'Entities' }).waitFor();
  await page.getByRole('list', { name: 'Timeline' }).waitFor();
  await shot('connection');

  await page.getByRole('button', { name: 'Sync', exact: true }).click();
  await page.getByRole('progressbar').first().waitFor();
  await shot('syncing');
  await page
    .getByText(/Sync (finished|ended)/)
    .first()
    .waitFor({ timeout: 120000 });
  const result = await page
    .getByText(/Sync (finished|ended)/)
    .first()
    .innerText();
  assert(result.startsWith('Sync finished'), `the sync ended: ${result}`);
  await page.getByRole('status').filter({ hasText: 'Sync finished' }).first().waitFor();
  await shot('synced');
}
