// Reauthorize from the connection page through the same wizard: the same connection id and a
// new token; credentials for another account stop for a confirmation first.
import { assert, assertEqual, openConnection } from '../lib/harness.mjs';

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  const id = await openConnection(page, 'Pump stations');
  await page.getByRole('button', { name: 'Reauthorize' }).click();

  await page.getByRole('heading', { name: 'Reauthorize Pump stations', level: 1 }).waitFor();
  const steps = page.getByRole('navigation', { name: 'Wizard steps' });
  assertEqual(await steps.getByRole('listitem').count(), 3, 'credentials, test, review');
  await page.getByLabel('Fiix subdomain').fill('another-plant');
  await page.getByLabel('Application key').fill('app-2');
  await page.getByLabel('Access key').fill('access-2');
  await page.getByLabel('Secret key', { exact: true }).fill('secret-2');
  await shot('credentials');
  await page.getByRole('button', { name: 'Next' }).click();

  // Another account: the guard stops here until someone confirms.
  const guard = page.getByRole('alert').filter({ hasText: 'different account or instance' });
  await guard.waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Confirm that these credentials belong to this customer.').waitFor();
  await shot('identity-guard');
  await guard.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Review the reauthorization' }).waitFor();
  await shot('review');
  await page.getByRole('button', { name: 'Reauthorize', exact: true }).dblclick();

  await page.getByText('Reauthorized: same connection id').waitFor();
  const token = page.getByRole('region', { name: 'Connection token' });
  await token.getByText('The previous token no longer works.').waitFor();
  await page.getByText(id, { exact: true }).waitFor();
  await page.getByText('another account or instance than before').waitFor();
  await shot('done');
  await page.getByRole('link', { name: /Open the connection page/ }).click();
  await page.getByRole('heading', { name: 'Pump stations', level: 1 }).waitFor();
  assert(page.url().endsWith(`/connections/${encodeURIComponent(id)}`), `same id: ${page.url()}`);
}
