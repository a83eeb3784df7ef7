// First paint in browser mode: `node tests/ui/bench-first-paint.mjs` (MDESK_BIN: a release
// mdesk; scripts/bench.sh builds it). The app's first contentful paint, and the time until the
// overview shows its first connections, as ratios to the first paint of a one-line page
// (ui/public/paint-baseline.html) served by the same server with the same headers. Each load
// is cold: the browser's cache is off, so every byte of the UI crosses loopback every time.
import { launchBrowser, startServer } from './lib/harness.mjs';

const RUNS = Number(process.env.BENCH_PAINT_RUNS ?? 15);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const firstPaint = (page) =>
  page.evaluate(async () => {
    for (let i = 0; i < 100; i++) {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      if (fcp) return fcp.startTime;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no first-contentful-paint entry');
  });

const server = await startServer();
const browser = await launchBrowser();
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(30000);
  // The launch URL sets the session cookie; every load after it is a plain visit.
  await page.goto(server.openUrl);
  await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });

  const blank = [];
  const appPaint = [];
  const appRows = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first, so neither always follows the other's warm-up.
    const order = run % 2 ? ['app', 'blank'] : ['blank', 'app'];
    for (const which of order) {
      if (which === 'blank') {
        await page.goto(`${server.base}/paint-baseline.html`);
        blank.push(await firstPaint(page));
      } else {
        await page.goto(`${server.base}/`);
        await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();
        appRows.push(await page.evaluate(() => performance.now()));
        appPaint.push(await firstPaint(page));
      }
    }
  }
  const base = median(blank);
  const line = (name, xs) =>
    console.log(
      `${name}: median ${median(xs).toFixed(0)} ms (ratio ${(median(xs) / base).toFixed(2)} to a one-line page's first paint, ${base.toFixed(0)} ms)`,
    );
  line('first_paint_app', appPaint);
  line('first_rows_overview', appRows);
} finally {
  await browser.close();
  server.stop();
}
