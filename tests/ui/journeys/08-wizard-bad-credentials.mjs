// Refused credentials fail at the test step with the platform's own message, and Next stays
// closed until a test passes.
import { assert } from '../lib/harness.mjs';

export async function run({ page, server, shot }) {
  await page.goto(`${server.openUrl}`);
  await page.getByRole('link', { name: 'Connect' }).first().click();
  const customers = page.getByRole('radiogroup', { name: 'Customers' });
  await customers.getByRole('radio').first().click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('searchbox', { name: 'Search systems' }).fill('upkeep');
  await page.getByRole('radio', { name: /UpKeep/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: /Cloud/ }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Email').fill('integration@acme.example');
  await page.getByLabel('Password', { exact: true }).fill('invalid-password');
  await page.getByRole('button', { name: 'Next' }).click();

  const failed = page.getByRole('alert').filter({ hasText: 'The test failed.' });
  await failed.waitFor();
  const text = await failed.innerText();
  assert(/UpKeep refused the credentials/.test(text), `the platform's message: ${text}`);
  assert(
    !(await page.getByText('The credentials changed since this test').isVisible()),
    'a failed test of these very credentials is not called stale',
  );
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Test the credentials before going on.').waitFor();
  await shot('test-failed');

  // Corrected, tested again, and on.
  await page.getByRole('button', { name: 'Correct the credentials' }).click();
  await page.getByLabel('Password', { exact: true }).fill('right-password');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('The credentials work.').waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('table', { name: 'Entities' }).waitFor();
}
