// Filter and search the overview: chips narrow the list, search is served by the server,
// headers sort, and an empty result offers to clear the filters.
import { assert, assertEqual, waitUntil } from '../lib/harness.mjs';

async function summary(page) {
  const text = await page.getByText(/\d[\d,]* (of [\d,]+ )?connections$/).innerText();
  return Number(text.split(' ')[0].replace(/,/g, ''));
}

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  const table = page.getByRole('table', { name: 'Connections' });
  await table.getByRole('link').first().waitFor();
  const all = await summary(page);

  const chips = page.getByRole('group', { name: 'Filter by health' });
  const healthy = chips.getByRole('button', { name: /^Healthy/ });
  await healthy.click();
  assertEqual(await healthy.getAttribute('aria-pressed'), 'true', 'the chip shows it is on');
  await waitUntil(async () => (await summary(page)) !== all, 'the Healthy chip narrows the list');
  const filtered = await summary(page);
  assert(filtered > 0 && filtered < all, `Healthy narrows ${all} to ${filtered}`);
  const healths = await table
    .getByRole('row')
    .filter({ has: page.getByRole('link') })
    .locator('[role=cell]:nth-child(3)')
    .allInnerTexts();
  assert(
    healths.length > 0 && healths.every((h) => h.trim() === 'Healthy'),
    `every row is healthy: ${healths.slice(0, 5)}`,
  );
  await shot('chip');

  // Sorting by a header is the server's, and the header says so.
  const credits = table.getByRole('columnheader', { name: 'Credits' });
  await credits.getByRole('button').click();
  await page.waitForFunction(() =>
    document.querySelector('[role=columnheader][aria-sort=ascending]'),
  );
  assertEqual(await credits.getAttribute('aria-sort'), 'ascending', 'Credits sorted ascending');
  await credits.getByRole('button').click();
  await page.waitForFunction(() =>
    document.querySelector('[role=columnheader][aria-sort=descending]'),
  );

  // Search: "/" focuses the box.
  await page.evaluate(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null,
  );
  await page.keyboard.press('/');
  const search = page.getByRole('searchbox', { name: 'Search connections' });
  assert(await search.evaluate((el) => el === document.activeElement), '/ focuses the search box');
  const firstName = await table.getByRole('link').first().innerText();
  const word = firstName.split(/\s+/)[0];
  await search.fill(word);
  await waitUntil(
    async () => (await summary(page)) < filtered,
    `search for ${word} narrows the list`,
  );
  const names = await table.getByRole('link').allInnerTexts();
  assert(names.length > 0, `search for ${word} finds connections`);
  await shot('search');

  await search.fill('zzzz-no-such-connection');
  await page.getByRole('heading', { name: 'Nothing matches' }).waitFor();
  await shot('nothing-matches');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await table.getByRole('link').first().waitFor();
  await waitUntil(
    async () => (await summary(page)) === all,
    'clearing brings every connection back',
  );
  assertEqual(await healthy.getAttribute('aria-pressed'), 'false', 'the chip is off again');

  // j/k move in the list and Enter opens the row.
  await page.evaluate(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null,
  );
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  const second = await table
    .locator('[role=row][aria-selected=true]')
    .getByRole('link')
    .innerText();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: second, level: 1 }).waitFor();
}
