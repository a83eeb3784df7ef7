// Settings' support section: the support bundle is written by the core into the data folder,
// and the page says where; the bundle file is a real gzip archive on disk.
import { existsSync, readFileSync } from 'node:fs';
import { assert } from '../lib/harness.mjs';

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click();
  const support = page.getByRole('region', { name: 'Support' });
  await support.getByRole('button', { name: 'Create support bundle' }).click();
  const status = support.getByRole('status');
  await status.getByText(/Written to/).waitFor();
  const path = (await status.locator('code').textContent())?.trim() ?? '';
  assert(/makini-desk-support-\d{8}T\d{6}Z\.tar\.gz$/.test(path), `a bundle path: ${path}`);
  assert(existsSync(path), `the bundle exists at ${path}`);
  const head = readFileSync(path).subarray(0, 2);
  assert(head[0] === 0x1f && head[1] === 0x8b, 'the bundle is gzip');
  await shot('support-bundle');
}
