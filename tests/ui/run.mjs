// The journeys runner: `node tests/ui/run.mjs [name...]` (build ui/dist and mdesk first; see
// tests/ui/README.md). Each journey gets its own server, with a fresh data folder, and a fresh
// browser profile. Prints "N passed, N failed" last.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHOTS, launchBrowser, startServer, shooter } from './lib/harness.mjs';

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const dir = new URL('./journeys/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .sort();

// Chrome names the hash of the refused inline style; this one is "display: contents;".
const DISPLAY_CONTENTS = /sha256-iaOezIDcQIoxCULa6FBKKuLUu09R7kG\+Mlu\+JVfU3Rw=/;

let passed = 0;
let failed = 0;
for (const file of files) {
  const journey = await import(new URL(file, dir));
  const name = file.replace(/\.mjs$/, '');
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const started = Date.now();
  let server;
  let browser;
  let page;
  const requests = [];
  const consoleErrors = [];
  try {
    server = await startServer(journey.serveArgs ?? []);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15000);
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await journey.run({ page, server, shot: shooter(page, name), requests, consoleErrors });
    // A page error or a CSP refusal is a bug even when the journey got through. The one CSP
    // report tolerated is bits-ui's style="display: contents;" (see ui/README.md).
    // A journey may expect some (the security one provokes a 401 on purpose).
    const expected = [DISPLAY_CONTENTS, ...(journey.expectedConsole ?? [])];
    const unexpected = consoleErrors.filter((e) => !expected.some((re) => re.test(e)));
    const tolerated = consoleErrors.filter((e) => DISPLAY_CONTENTS.test(e)).length;
    if (tolerated)
      console.log(`note ${name}: ${tolerated} CSP report(s) for bits-ui's display: contents`);
    if (unexpected.length) throw new Error(`console errors:\n  ${unexpected.join('\n  ')}`);
    passed++;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
    // Where the page was and what it showed, so a failure in CI can be read without a rerun.
    if (page) {
      const shotPath = join(SHOTS, `${name}-FAILED.png`);
      await page.screenshot({ path: shotPath, fullPage: true }).catch(() => {});
      console.log(`page at ${page.url()}; screenshot ${shotPath}`);
    }
    if (server?.log) console.log(`--- server log ---\n${server.log().slice(-3000)}`);
  } finally {
    await browser?.close().catch(() => {});
    server?.stop();
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
