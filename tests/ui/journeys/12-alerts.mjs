// Reauthorization alerts on the alerts screen: expired credentials injected into the local
// engine's sandbox show up live as one alert (the status poll and the platform's event both
// report it), the customer's notice carries a magic link and is marked sent, reauthorizing
// from the alert goes through the wizard, and the alert resolves after the live check.
import { assert, openConnection } from '../lib/harness.mjs';

// A short poll, so the alert appears within seconds.
export const serveArgs = ['--poll-interval', '2s'];

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  const id = await openConnection(page, 'Pump stations');

  await page
    .getByRole('navigation')
    .getByRole('link', { name: /^Alerts/ })
    .click();
  await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
  const queue = page.getByRole('table', { name: 'Alerts' });
  await queue.getByRole('row').nth(1).waitFor();
  const row = queue.getByRole('row').filter({ hasText: 'Pump stations' });
  assert((await row.count()) === 0, 'Pump stations is healthy before the fault');
  await shot('queue-before');

  // The fault, through the action layer (the local engine's sandbox).
  const injected = await page.evaluate(async (connection_id) => {
    const reply = await fetch('/api/actions/sandbox_fault', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connection_id, kind: 'expire_credentials' }),
    });
    return reply.status;
  }, id);
  assert(injected === 200, `fault injected (${injected})`);

  // Live: the row appears without a reload, once.
  await row.waitFor({ timeout: 20000 });
  assert((await row.count()) === 1, 'one alert for the connection');
  await row.getByRole('button', { name: 'Reauthorization required' }).click();
  const detail = page.getByRole('region', { name: /Reauthorization required/ });
  const sources = detail.getByRole('table', { name: 'Sources' });
  await sources.getByRole('cell', { name: 'Status poll' }).waitFor({ timeout: 20000 });
  await sources.getByRole('cell', { name: 'Webhook' }).waitFor({ timeout: 20000 });
  await page.getByRole('link', { name: /open alerts/ }).waitFor();
  await shot('alert');

  // The customer's notice: a magic link, copy and mailto, then marked sent.
  await detail.getByRole('button', { name: 'Prepare notice' }).click();
  const text = detail.getByRole('textbox', { name: 'Notice text' });
  await text.waitFor();
  const body = await text.inputValue();
  assert(
    /Reconnect here: http:\/\/127\.0\.0\.1:\d+\/connect\/mlt_/.test(body),
    `magic link: ${body}`,
  );
  assert(body.includes('Pump stations'), 'the notice names the connection');
  const mailto = await detail.getByRole('link', { name: 'Open in email' }).getAttribute('href');
  assert(mailto.startsWith('mailto:') && mailto.includes('subject='), mailto);
  await detail.getByRole('button', { name: 'Copy notice text' }).waitFor();
  await detail.getByRole('button', { name: 'Mark as sent' }).click();
  await detail.getByText('Customer notified', { exact: true }).first().waitFor();
  await shot('notice');

  // Reauthorize from the alert: the wizard's reauthorization mode.
  await detail.getByRole('link', { name: 'Reauthorize' }).click();
  await page.getByRole('heading', { name: 'Reauthorize Pump stations', level: 1 }).waitFor();
  await page.getByLabel('Fiix subdomain').fill('another-plant');
  await page.getByLabel('Application key').fill('app-2');
  await page.getByLabel('Access key').fill('access-2');
  await page.getByLabel('Secret key', { exact: true }).fill('secret-2');
  await page.getByRole('button', { name: 'Next' }).click();
  const guard = page.getByRole('alert').filter({ hasText: 'different account or instance' });
  await guard.waitFor();
  await guard.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Review the reauthorization' }).waitFor();
  await page.getByRole('button', { name: 'Reauthorize', exact: true }).click();
  await page.getByText('Reauthorized: same connection id').waitFor();

  // Resolved after the live check: gone from the queue, resolved in the list of all.
  await page
    .getByRole('navigation')
    .getByRole('link', { name: /^Alerts/ })
    .click();
  await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
  await queue.getByRole('row').nth(1).waitFor();
  assert((await row.count()) === 0, 'no unresolved alert for the connection');
  await page.getByRole('combobox', { name: 'State' }).selectOption('resolved');
  await row.first().waitFor();
  await row.first().getByRole('button', { name: 'Reauthorization required' }).click();
  await detail.getByText('live check passed').first().waitFor();
  await shot('resolved');
}
