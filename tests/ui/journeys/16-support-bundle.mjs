// Settings' desktop and support sections. The desktop preferences are saved through the core
// (read back from settings_show); an update channel must be https (plain http only on
// loopback) and a browser tab offers no update check. The support bundle is written by the
// core into the data folder, and the page says where; the file is a real gzip archive on disk.
import { existsSync, readFileSync } from 'node:fs';
import { assert } from '../lib/harness.mjs';

// The plain-http channel is refused by the core with a 400, on purpose.
export const expectedConsole = [/status of 400 \(Bad Request\)/];

async function settings(page) {
  return page.evaluate(async () => {
    const reply = await fetch('/api/actions/settings_show', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return reply.json();
  });
}

export async function run({ page, server, shot }) {
  await page.goto(server.openUrl);
  await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click();

  const desktop = page.getByRole('region', { name: 'Desktop' });
  const notify = desktop.getByRole('checkbox', { name: /Notify me of each new alert/ });
  assert(await notify.isChecked(), 'notifications are on by default');
  await notify.uncheck();
  await page.getByText('Desktop notifications off').waitFor();
  await desktop.getByRole('checkbox', { name: /Keep syncing .* in the tray/ }).check();
  await page.getByText('Closing the window keeps the app in the tray').waitFor();
  const saved = await settings(page);
  assert(
    saved.desktop_notifications === false && saved.close_to_tray === true,
    `saved: ${JSON.stringify(saved)}`,
  );
  assert(
    (await desktop.getByRole('button', { name: 'Check for updates' }).count()) === 0,
    'a browser tab has no update check',
  );

  const channel = desktop.getByRole('textbox', { name: 'Update channel' });
  await channel.fill('http://updates.example.com/latest.json');
  await desktop.getByRole('button', { name: 'Save channel' }).click();
  await desktop.getByText(/use https/).waitFor();
  await shot('desktop-channel-refused');
  await channel.fill('https://updates.example.com/makini-desk/latest.json');
  await desktop.getByRole('button', { name: 'Save channel' }).click();
  await page.getByText('Update channel saved').waitFor();
  assert(
    (await settings(page)).update_endpoint ===
      'https://updates.example.com/makini-desk/latest.json',
    'the channel is saved',
  );
  await desktop.scrollIntoViewIfNeeded();
  await shot('desktop');

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
