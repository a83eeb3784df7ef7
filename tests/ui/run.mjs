// The journeys runner: `node tests/ui/run.mjs [--fixture] [name...]`. Each journey gets its
// own server and a fresh browser profile. Prints "N passed, N failed" last.
import { readdirSync } from 'node:fs';
import { launchBrowser, startServer, shooter } from './lib/harness.mjs';

const args = process.argv.slice(2);
const fixture = args.includes('--fixture');
const only = args.filter((a) => !a.startsWith('--'));
const dir = new URL('./journeys/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .sort();

let passed = 0;
let failed = 0;
for (const file of files) {
  const journey = await import(new URL(file, dir));
  const name = file.replace(/\.mjs$/, '');
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const started = Date.now();
  let server;
  let browser;
  const requests = [];
  const consoleErrors = [];
  try {
    server = await startServer({ fixture });
    browser = await launchBrowser();
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15000);
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await journey.run({ page, server, shot: shooter(page, name), requests, consoleErrors });
    passed++;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
    if (server?.log) console.log(`--- server log ---\n${server.log().slice(-3000)}`);
  } finally {
    await browser?.close().catch(() => {});
    server?.stop();
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
