// A trial account with 1 credit, set in Settings through the local engine's sandbox: the low
// pool is a banner; the wizard says before connecting that a tier-2 connection will be created
// inactive, with no overage on a trial, and it is. Buying credits clears the banner and lets the
// connection be activated from its page.
import { assert, assertEqual, openConnection, poolAvailable, waitUntil } from '../lib/harness.mjs';

export const serveArgs = ['--poll-interval', '2s'];

// The Alerts link carries its open count ("Alerts 4 open alerts").
async function nav(page, name) {
  await page
    .getByRole('navigation')
    .getByRole('link', { name: new RegExp(`^${name}(\\b|$)`) })
    .first()
    .click();
}

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();

  // Settings: the sandbox puts the demo account on a trial.
  await page.getByRole('link', { name: 'Settings' }).click();
  const sandbox = page.getByRole('region', { name: 'Local engine sandbox' });
  const plan = sandbox.getByRole('radiogroup', { name: 'Plan' });
  await waitUntil(
    async () =>
      (await plan.getByRole('radio', { name: 'Paid' }).getAttribute('aria-checked')) === 'true',
    'the demo starts on a paid plan',
  );
  await plan.getByRole('radio', { name: 'Trial' }).click();
  await page.getByText('The account is on the trial plan').waitFor();
  assertEqual(
    await plan.getByRole('radio', { name: 'Trial' }).getAttribute('aria-checked'),
    'true',
    'the trial is chosen',
  );
  await shot('sandbox-trial');

  // 1 credit left, below the default threshold of 5: a banner and an alert.
  await nav(page, 'Credits');
  assertEqual(await poolAvailable(page), 1, 'the trial has 1 credit');
  await page.getByText(/Only 1 credit left, below your threshold of 5/).waitFor();
  await shot('low-pool-banner');

  // The wizard: Plex is tier II, 2 credits in the cloud: inactive, said before connecting.
  await nav(page, 'Connect');
  await page.getByRole('radiogroup', { name: 'Customers' }).getByRole('radio').first().click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('searchbox', { name: 'Search systems' }).fill('Plex');
  await page.getByRole('radio', { name: /Plex Smart Manufacturing/ }).click();
  const cost = page.getByRole('region', { name: 'What this connection costs' }).first();
  await cost.getByText(/Only 1 credit available: it will be created\s+inactive/).waitFor();
  await cost.getByText('A trial account cannot go beyond its pool').waitFor();
  assert(!(await cost.getByText('overage').isVisible()), 'a trial is not offered overage');
  await shot('wizard-short-pool');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: /Cloud/ }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Customer ID').fill('PCN-10442');
  await page.getByLabel('Plex Connect API key', { exact: true }).fill('plex-api-key-1');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('The credentials work.').waitFor();
  for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Review and connect' }).waitFor();
  await page.getByLabel('Connection name *').fill('Plex trial plant');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();

  const kicker = page.getByText('Created inactive').first();
  await kicker.waitFor({ timeout: 30000 });
  const credits = page.getByRole('region', { name: 'Credits' });
  await credits.getByText('Inactive: no credits taken.').waitFor();
  await credits.getByText('Free or buy credits, then activate it from its page.').waitFor();
  assertEqual(
    await page.getByRole('button', { name: 'Activate as overage' }).count(),
    0,
    'no overage on a trial',
  );
  await shot('created-inactive');

  // Buy 10 credits: the banner goes, and the connection activates from the pool.
  await page.getByRole('link', { name: 'Settings' }).click();
  await sandbox.getByRole('spinbutton', { name: 'Buy' }).fill('10');
  await sandbox.getByRole('button', { name: 'Buy credits' }).click();
  await page.getByText('10 credits bought').waitFor();
  await nav(page, 'Credits');
  assertEqual(await poolAvailable(page), 11, 'the pool after buying');
  assertEqual(await page.getByText(/below your threshold/).count(), 0, 'the banner is gone');

  await nav(page, 'Overview');
  await openConnection(page, 'Plex trial plant');
  await page.getByRole('button', { name: 'Activate', exact: true }).click();
  await page.getByRole('region', { name: 'Details' }).getByText('Active').first().waitFor();
  await nav(page, 'Credits');
  assertEqual(await poolAvailable(page), 9, 'activation took its 2 credits');

  await shot('activated');
}
