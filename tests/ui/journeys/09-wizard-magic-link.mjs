// A magic link instead of credentials: expiry, copy and a mailto: draft; the pending
// connection is on the Overview at once.
import { assert } from '../lib/harness.mjs';

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  await page.getByRole('link', { name: 'Customers' }).click();
  const first = page
    .getByRole('table', { name: 'Customers' })
    .getByRole('link', { name: /^Connect a system for / })
    .first();
  const label = await first.getAttribute('aria-label');
  const customer = label.replace('Connect a system for ', '');
  await first.click();
  // Started from the customer: it is already chosen.
  await page.getByRole('main').getByText(customer).first().waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('searchbox', { name: 'Search systems' }).fill('fiix');
  await page.getByRole('radio', { name: /Fiix CMMS/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Send a magic link to the customer’s IT admin').click();
  await page.getByLabel('Link expires after').selectOption('14');
  await shot('choose');
  await page.getByRole('button', { name: 'Create magic link' }).dblclick();

  const link = page.getByRole('region', { name: 'Magic link' });
  await link.waitFor();
  await link.getByRole('button', { name: 'Copy magic link' }).waitFor();
  const href = await link.getByRole('link', { name: /Draft an email/ }).getAttribute('href');
  assert(href.startsWith('mailto:'), `a mailto: draft: ${href}`);
  assert(decodeURIComponent(href).includes('/'), 'the link is in the mail');
  await link.getByText(/Expires/).waitFor();
  await shot('created');

  await link.getByRole('link', { name: 'Back to the Overview' }).click();
  await page.getByRole('searchbox', { name: 'Search connections' }).fill('Fiix CMMS');
  const table = page.getByRole('table', { name: 'Connections' });
  await table.getByText('Pending').first().waitFor();
  const rows = await table.getByRole('link', { name: 'Fiix CMMS' }).count();
  assert(rows === 1, `one pending connection (double click): ${rows}`);
  await shot('overview-pending');
}
