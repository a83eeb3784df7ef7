// First start: the launch URL opens the demo workspace; the token leaves the address bar;
// the browser never fetches the Tauri chunk; every screen is reachable.
import { assert } from '../lib/harness.mjs';

export async function run({ page, server, shot, requests }) {
  await page.goto(server.openUrl);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  assert(!page.url().includes('token='), `the token stays in the address bar: ${page.url()}`);

  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const screen of [
    'Overview',
    'Connect',
    'Credits',
    'Alerts',
    'Webhooks',
    'Data',
    'Settings',
  ]) {
    // Alerts carries its open count ("Alerts 6 open alerts").
    const name = screen === 'Alerts' ? /^Alerts( \d+ open alerts)?$/ : screen;
    await nav.getByRole('link', { name, exact: true }).waitFor();
  }
  await page.getByRole('link', { name: /Profile: .*online/ }).waitFor();

  const pool = page.getByRole('region', { name: 'Connection credits' });
  for (const label of ['Purchased', 'In use', 'Available', 'Overage'])
    await pool.getByText(label, { exact: true }).waitFor();

  const table = page.getByRole('table', { name: 'Connections' });
  await table.getByRole('columnheader', { name: 'Health' }).waitFor();
  await table.getByRole('link').first().waitFor();
  const rows = await table.getByRole('row').count();
  assert(rows > 2, `the demo shows connections (${rows} rows)`);
  // At 1440 every column fits: none is cut at the table's edge (the id is on the connection's
  // page, and in the table only on wider screens).
  const overflow = await table.evaluate((el) => el.scrollWidth - el.clientWidth);
  assert(overflow <= 1, `the connections table fits its frame at 1440 (${overflow}px wider)`);
  const headers = await table.getByRole('columnheader').allInnerTexts();
  assert(!headers.includes('Id'), `no id column at 1440: ${headers.join(', ')}`);
  await shot('overview');

  // The palette opens with the keyboard and lists the shortcuts.
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await palette.waitFor();
  await palette.getByText('Keyboard shortcuts').waitFor();
  await palette.getByRole('option', { name: /Go to Credits/ }).waitFor();
  await shot('palette');
  // Connections are searched on the server from the palette.
  const firstName = await table.getByRole('link').first().innerText();
  await page.getByRole('combobox', { name: 'Search commands and connections' }).fill(firstName);
  const found = palette
    .getByRole('option', {
      name: new RegExp(firstName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    })
    .first();
  await found.waitFor();
  await shot('palette-search');
  await page.keyboard.press('Escape');
  await palette.waitFor({ state: 'hidden' });

  // g c goes to Credits; g a to Alerts.
  await page.evaluate(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null,
  );
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await page.getByRole('heading', { name: 'Credits', level: 1 }).waitFor();
  assert(page.url().endsWith('/credits'), `g c went to ${page.url()}`);
  await page.keyboard.press('g');
  await page.keyboard.press('a');
  await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
  assert(page.url().endsWith('/alerts'), `g a went to ${page.url()}`);
  await shot('alerts');

  await page.getByRole('link', { name: 'Overview' }).first().click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('table', { name: 'Customers' }).getByRole('row').nth(1).waitFor();
  await shot('customers');

  const tauri = requests.filter((u) => /\/assets\/tauri-[^/]+\.js/.test(u));
  assert(tauri.length === 0, `the browser fetched the Tauri chunk: ${tauri.join(', ')}`);
}
