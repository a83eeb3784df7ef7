// The offline data browser: the engine runs as its own process, the app syncs from it, then the
// engine is stopped. The browser says it is offline and still searches records as you type,
// opens one, and exports CSV that is byte for byte what `mdesk export` writes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assert,
  assertEqual,
  callAction,
  mdeskBinary,
  spawnMdesk,
  waitUntil,
} from '../lib/harness.mjs';

// The platform is down on purpose: what needs it (the overview's live account figures, the
// catch-up on focus) answers 503, and the browser logs each refused request.
export const expectedConsole = [/status of 503 \(Service Unavailable\)/];

const ENV = { ...process.env, MDESK_VAULT_PASSPHRASE: 'test', RUST_LOG: 'warn' };

const start = spawnMdesk;

export async function run({ page, shot }) {
  const dir = mkdtempSync(join(tmpdir(), 'mdesk-offline-'));
  let engine;
  let app;
  try {
    engine = await start(
      dir,
      ['engine', 'serve', '--addr', '127.0.0.1:0', '--seed', 'demo'],
      /listening on/,
    );
    app = await start(dir, ['serve', '--addr', '127.0.0.1:0'], /open (http:\/\/\S+\?token=\S+)/);
    const openUrl = app.match[1];
    // The first sync fills the mirror from the engine.
    let entity = null;
    await waitUntil(
      async () => {
        const sources = await callAction(openUrl, 'records_sources', {
          connection_ids: [],
          check_platform: false,
        });
        entity = sources.entities.find((e) => e.records > 20) ?? null;
        return entity !== null;
      },
      'the first sync mirrored records',
      120000,
    );

    // The platform goes away.
    engine.child.kill('SIGKILL');
    await new Promise((r) => engine.child.once('exit', r));

    await page.goto(openUrl);
    await page.getByRole('table', { name: 'Connections' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('heading', { name: 'Data', level: 1 }).waitFor();
    await page.getByRole('status').getByText('offline, showing data synced at').waitFor();
    await page.getByRole('combobox', { name: 'Entity' }).selectOption(entity.entity);
    const table = page.getByRole('table', { name: 'Records' });
    await table.getByRole('row').nth(1).waitFor();
    await shot('offline');

    // Scrolling a page of the virtualized table: the time from the scroll to the new rows laid
    // out (the scroll handler, the rows' render and layout), per page; printed, not asserted
    // (machines here are shared and noisy). Goal: under 16 ms, one frame.
    const frames = await table.evaluate(async (scroller) => {
      const nextTask = () =>
        new Promise((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve();
          channel.port2.postMessage(0);
        });
      const samples = [];
      for (let i = 0; i < 12; i++) {
        if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight) break;
        const started = performance.now();
        scroller.scrollTop += scroller.clientHeight;
        scroller.dispatchEvent(new Event('scroll'));
        await nextTask();
        void document.body.offsetHeight;
        samples.push(performance.now() - started);
        await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      }
      scroller.scrollTop = 0;
      scroller.dispatchEvent(new Event('scroll'));
      return samples.sort((a, b) => a - b);
    });
    assert(frames.length > 0, 'the table scrolled at least one page');
    const median = frames[Math.floor(frames.length / 2)];
    console.log(
      `data browser scroll: a page of rows rendered in ${median.toFixed(1)} ms median, ` +
        `${frames.at(-1).toFixed(1)} ms worst over ${frames.length} pages ` +
        '(goal under 16 ms; measured, not asserted)',
    );

    // A word of a record, typed a letter at a time.
    const sample = await callAction(openUrl, 'records_list', {
      entity: entity.entity,
      limit: 1,
      include_deleted: true,
      offset: 0,
      connection_ids: [],
      field_filters: [],
    });
    const record = sample.records[0];
    const word = String(record.id);
    await page
      .getByRole('searchbox', { name: 'Search records' })
      .pressSequentially(word, { delay: 30 });
    const summary = page.getByText(/^[\d,]+ records$/);
    await waitUntil(
      async () => Number((await summary.innerText()).replace(/\D/g, '')) < entity.records,
      'the search narrowed the table',
    );
    const row = table.getByRole('row', { name: new RegExp(`^${word}`) }).first();
    await row.click();
    const panel = page.getByRole('complementary', { name: `Record ${word}` });
    await panel.getByRole('heading', { name: 'Raw JSON' }).waitFor();
    await panel.getByRole('heading', { name: `Sync history of ${entity.entity}` }).waitFor();
    await shot('record');

    // Export what is shown and compare with the CLI's export of the same search.
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const toastBody = await page.getByText(/exports\/.+\.csv$/).innerText();
    const fromUi = readFileSync(toastBody.trim(), 'utf8');
    const cliOut = join(dir, 'cli-export.csv');
    execFileSync(
      mdeskBinary(),
      [
        '--data-dir',
        dir,
        'export',
        entity.entity,
        '--search',
        word,
        '--include-deleted',
        '--out',
        cliOut,
      ],
      { env: ENV },
    );
    const fromCli = readFileSync(cliOut, 'utf8');
    assert(fromUi.split('\n').length >= 2, 'the export holds the header and a record');
    assertEqual(fromUi, fromCli, 'the UI export equals `mdesk export`');
  } finally {
    // The page leaves the app first: its event stream would otherwise retry the stopped app and
    // log ERR_CONNECTION_REFUSED before the browser closes.
    await page
      .goto('about:blank')
      .catch((e) => console.log(`note: the page did not leave the app: ${e}`));
    app?.child.kill('SIGINT');
    engine?.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}
