// Disconnect from the connection page: the dialog states what happens, and the credits it
// held return to the pool.
import { assert, assertEqual, poolAvailable as available } from '../lib/harness.mjs';

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  const before = await available(page);
  await page
    .getByRole('group', { name: 'Filter by health' })
    .getByRole('button', { name: /^Healthy/ })
    .click();
  await page.waitForTimeout(500);
  const link = page.getByRole('table', { name: 'Connections' }).getByRole('link').first();
  const name = await link.innerText();
  await link.click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  const creditsText = await page
    .locator('dt', { hasText: /^Credits$/ })
    .locator('xpath=following-sibling::dd')
    .innerText();
  const held = Number(creditsText.split(' ')[0]);

  await page.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('dialog', { name: `Disconnect ${name}?` });
  await dialog.waitFor();
  await dialog.getByText('stops working at once').waitFor();
  await dialog.getByText(`${held} credit`).waitFor();
  await dialog.getByText('Synced data is kept').waitFor();
  await dialog
    .getByRole('checkbox', { name: 'Also delete the data the platform synced' })
    .waitFor();
  await shot('dialog');

  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText('returned to the pool').waitFor();
  await page.getByRole('region', { name: 'Details' }).getByText('Disconnected').first().waitFor();
  await shot('disconnected');

  await page.getByRole('link', { name: 'Overview' }).first().click();
  await page.waitForTimeout(300);
  const after = await available(page);
  assertEqual(after, before + held, `available credits after returning ${held}`);
  assert(held > 0, 'the connection held credits');
}
