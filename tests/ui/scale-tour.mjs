// A look at every screen on the `scale` seed (10,000 customers, 50,000 connections), which the
// journeys do not use: `node tests/ui/scale-tour.mjs [--url URL]`. Without --url it starts its
// own `mdesk serve --seed scale` and shoots each screen twice: while the first sync lists the
// account, and once it has. Screenshots go to target-shots/scale-<screen>-<when>-<theme>-<size>.png;
// look at them. Not part of CI (the first sync of the seed takes a minute or two).
import { launchBrowser, shooter, startServer, waitUntil } from './lib/harness.mjs';

const SCREENS = ['Overview', 'Credits', 'Alerts', 'Webhooks', 'Data'];
const urlAt = process.argv.indexOf('--url');
const server = urlAt > 0 ? null : await startServer(['--seed', 'scale']);
const openUrl = urlAt > 0 ? process.argv[urlAt + 1] : server.openUrl;
const browser = await launchBrowser();
const errors = [];
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(openUrl);
  const tour = async (when) => {
    for (const screen of SCREENS) {
      await page
        .getByRole('navigation')
        .getByRole('link', { name: new RegExp(`^${screen}`) })
        .click();
      await page.getByRole('heading', { name: screen, level: 1 }).waitFor();
      await page.waitForTimeout(2000);
      await shooter(page, `scale-${screen.toLowerCase()}`)(when);
    }
  };
  if (server) await tour('first-sync');
  await page.getByRole('navigation').getByRole('link', { name: 'Overview', exact: true }).click();
  await waitUntil(
    async () => /50,000 connections/.test(await page.locator('body').innerText()),
    'the overview lists the 50,000 connections',
    300_000,
  );
  await tour('synced');
  console.log(`scale tour done; console errors: ${errors.length ? errors.join('\n') : 'none'}`);
} finally {
  await browser.close();
  server?.stop();
}
