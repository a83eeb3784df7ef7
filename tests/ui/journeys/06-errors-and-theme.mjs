// Designed failure states and the theme switch: an unknown connection shows the core's code
// and request id with a way forward; an unknown path says so; the theme choice survives a
// reload; times show UTC on hover.
import { assert, assertEqual } from '../lib/harness.mjs';

/** Asking for a connection that does not exist answers 404 on purpose. */
export const expectedConsole = [/status of 404/];

export async function run({ page, server, shot }) {
  // Loading is designed too: hold the list's first answer back and look at the skeletons.
  let release = () => {};
  const held = new Promise((resolve) => (release = resolve));
  await page.route('**/api/actions/connections_list', async (route) => {
    // Once released, every later list request passes straight through.
    await held;
    await route.continue();
  });
  await page.goto(server.openUrl);
  await page.getByRole('rowgroup', { name: 'Loading' }).waitFor();
  await shot('loading');
  release();
  const table = page.getByRole('table', { name: 'Connections' });
  await table.getByRole('link').first().waitFor();

  // Relative times carry the absolute time, in the user's zone and in UTC, on hover.
  const time = table.locator('time').first();
  const title = await time.getAttribute('title');
  assert(/UTC$/.test(title ?? ''), `a time's tooltip ends in UTC: ${title}`);

  await page.goto(`${server.base}/connections/conn_does_not_exist`);
  const alert = page.getByRole('alert');
  await alert.getByRole('heading', { name: 'This connection could not be loaded' }).waitFor();
  await alert.getByText('NOT_FOUND').waitFor();
  await shot('not-found-connection');

  await page.goto(`${server.base}/no/such/screen`);
  await page.getByRole('heading', { name: 'No screen at /no/such/screen' }).waitFor();
  await page.getByRole('button', { name: 'Go to Overview' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();

  // The theme: follows the OS until chosen, then stays chosen.
  await page.getByRole('button', { name: /^Theme:/ }).click();
  await page.getByRole('menuitemradio', { name: 'Dark' }).click();
  assertEqual(
    await page.evaluate(() => document.documentElement.dataset.theme),
    'dark',
    'theme set',
  );
  await page.reload();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  assertEqual(
    await page.evaluate(() => document.documentElement.dataset.theme),
    'dark',
    'theme kept',
  );
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert(bg !== 'rgb(255, 255, 255)', `the dark theme paints a dark page (${bg})`);
  await page.getByRole('button', { name: /^Theme:/ }).click();
  await page.getByRole('menuitemradio', { name: 'Match the system' }).click();
  assertEqual(
    await page.evaluate(() => document.documentElement.dataset.theme ?? null),
    null,
    'back to the OS',
  );
}
