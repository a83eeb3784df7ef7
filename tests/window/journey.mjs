// The real window, driven over WebDriver (tauri-driver + Debian's WebKitWebDriver): the app
// starts on the demo account, runs the same actions as the browser through Tauri's IPC (no
// HTTP server in between), syncs a connection with live progress and disconnects it, opens the
// wizard, sees an injected fault become an alert (the script checks the desktop notification
// and the tray's count), hands a second launch's makini-desk:// link to the first window, and
// shows light and dark at the window's minimum size. Run by scripts/window-journey.sh, which starts the
// driver under Xvfb; screenshots go to target-shots/window-*.png. Prints "N passed, N failed".
//
//   node tests/window/journey.mjs DRIVER_URL APP_BINARY
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session, waitForDriver } from './webdriver.mjs';

const [driver = 'http://127.0.0.1:4444', application] = process.argv.slice(2);
if (!application) {
  console.error('usage: node tests/window/journey.mjs DRIVER_URL APP_BINARY');
  process.exit(2);
}
const shots = new URL('../../target-shots/', import.meta.url);
mkdirSync(shots, { recursive: true });

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(session, name) {
  writeFileSync(new URL(`window-${name}.png`, shots), await session.screenshot());
}

/** The pool's "Available" figure on the overview. */
async function available(session) {
  const text = await session.execute(`
    const dt = [...document.querySelectorAll('dt')].find((d) => d.textContent === 'Available');
    return dt?.nextElementSibling?.textContent ?? '';`);
  return Number(text.replace(/[^\d]/g, ''));
}

async function setTheme(session, choice) {
  await session.click(await session.waitForRole('button', /^Theme:/));
  await session.click(await session.waitForRole('menuitemradio', choice));
}

const steps = [];
/** A step; with `restart`, the app is quit and started anew (a new session) before it runs. */
function step(name, run, { restart = false } = {}) {
  steps.push({ name, run, restart });
}

step('the window opens on the demo account, through Tauri IPC', async (s) => {
  await s.waitForRole('heading', 'Overview', 60000);
  const transport = await s.execute(
    'return {protocol: location.protocol, host: location.host, ipc: typeof window.__TAURI_INTERNALS__?.invoke};',
  );
  assert(transport.ipc === 'function', `Tauri's IPC is there: ${JSON.stringify(transport)}`);
  assert(
    transport.protocol === 'tauri:' || transport.host === 'tauri.localhost',
    `the UI comes from the app itself, not a server: ${JSON.stringify(transport)}`,
  );
  await s.waitForRole('region', 'Connection credits');
  await s.waitForText(/Calder Steelworks|Halvorsen Pharma/, 90000);
  await s.waitForRole('table', 'Connections');
  const deadline = Date.now() + 60000;
  while ((await available(s)) === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 300));
  assert((await available(s)) > 0, 'the pool shows available credits');
  await shot(s, 'overview-light');
});

step('a connection page syncs with live progress', async (s) => {
  const group = await s.waitForRole('group', 'Filter by health');
  const healthy = (await s.byRole('button', /^Healthy/)).find(Boolean);
  assert(group && healthy, 'the health filter is there');
  await s.click(healthy);
  await new Promise((r) => setTimeout(r, 800));
  const table = await s.waitForRole('table', 'Connections');
  const links = await s.execute(
    `return [...arguments[0].querySelectorAll('a[href], [role=link]')].slice(0, 1);`,
    [table],
  );
  assert(links.length === 1, 'a healthy connection is listed');
  const name = (await s.textOf(links[0])).trim();
  await s.click(links[0]);
  await s.waitForRole('heading', name);
  await s.waitForRole('table', 'Entities');
  await s.click(await s.waitForRole('button', 'Sync'));
  await s.waitForRole('progressbar', /.*/);
  const result = await s.waitForText(/Sync (finished|ended)/, 120000);
  assert(result.startsWith('Sync finished'), `the sync ended: ${result}`);
  await shot(s, 'connection-synced-light');
  s.connectionName = name;
});

step('disconnecting returns its credits to the pool', async (s) => {
  const name = s.connectionName;
  await s.click(await s.waitForRole('link', 'Overview'));
  await s.waitForRole('heading', 'Overview');
  const before = await available(s);
  await s.execute('history.back();');
  await s.waitForRole('heading', name);
  await s.click(await s.waitForRole('button', 'Disconnect'));
  const dialog = await s.waitForRole('dialog', `Disconnect ${name}?`);
  assert(dialog, 'the dialog asks first');
  await s.waitForText(/stops working at once/);
  await new Promise((r) => setTimeout(r, 500)); // the dialog's fade-in
  await shot(s, 'disconnect-dialog-light');
  const confirm = await s.execute(
    `return [...arguments[0].querySelectorAll('button')].filter((b) => b.textContent.trim() === 'Disconnect');`,
    [dialog],
  );
  await s.click(confirm[0]);
  await s.waitForText(/returned to the pool/);
  await s.click(await s.waitForRole('link', 'Overview'));
  await s.waitForRole('heading', 'Overview');
  const deadline = Date.now() + 10000;
  while ((await available(s)) <= before && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  const after = await available(s);
  assert(after > before, `available credits rose after the disconnect: ${before} -> ${after}`);
});

step('the wizard opens; a fault opens an alert and a desktop notification', async (s) => {
  await s.click(await s.waitForRole('link', 'Connect'));
  await s.waitForRole('heading', 'Connect a system');
  await shot(s, 'wizard-light');
  // A healthy active connection, and the fault through the same IPC the window's screens use.
  const id = await s.execute(`
    return window.__TAURI_INTERNALS__
      .invoke('connections_list', { request: { health: ['healthy'], limit: 1 } })
      .then((page) => page.rows[0]?.id ?? null);`);
  assert(id, 'a healthy active connection to break');
  const before = await s.execute(`
    return window.__TAURI_INTERNALS__
      .invoke('alerts_list', { request: {} })
      .then((page) => page.open_count);`);
  const faulted = await s.execute(
    `return window.__TAURI_INTERNALS__
      .invoke('sandbox_fault', { request: { connection_id: arguments[0], kind: 'expire_credentials' } })
      .then((connection) => connection.id);`,
    [id],
  );
  assert(faulted === id, `fault injected: ${faulted}`);
  // The status poll (every few seconds in this run) finds it; the navigation counts it live.
  const deadline = Date.now() + 60000;
  let shown = '';
  while (Date.now() < deadline) {
    shown = await s.execute(
      `return document.querySelector('nav [aria-label$="open alerts"]')?.getAttribute('aria-label') ?? '';`,
    );
    if (shown === `${before + 1} open alerts`) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert(shown === `${before + 1} open alerts`, `the navigation counts the new alert: ${shown}`);
  await s.click(await s.waitForRole('link', /^Alerts/));
  await s.waitForRole('heading', 'Alerts');
  await s.waitForRole('button', 'Reauthorization required');
  await shot(s, 'alert-light');
  s.faultedConnection = id;
});

step('a second launch hands its makini-desk:// link to the first window', async (s) => {
  const row = await s.execute(`
    return window.__TAURI_INTERNALS__
      .invoke('connections_list', { request: { sort: 'name', limit: 1 } })
      .then((page) => page.rows[0] ? { id: page.rows[0].id, name: page.rows[0].name } : null);`);
  assert(row, 'a connection to open');
  // The same binary, session bus and data folder: it finds the running one, hands over its
  // arguments and exits; the first window opens the connection.
  const second = spawnSync(application, [`makini-desk://connections/${row.id}`], {
    env: process.env,
    timeout: 60000,
    encoding: 'utf8',
  });
  assert(
    second.status === 0,
    `the second launch exits at once: ${second.status} ${second.signal ?? ''} ${second.stderr?.slice(-800)}`,
  );
  await s.waitForRole('heading', row.name);
  const path = await s.execute('return location.pathname;');
  assert(path === `/connections/${row.id}`, `the first window shows the connection: ${path}`);
  await shot(s, 'deep-link-light');
});

step('Check for updates sees a newer release and refuses its bad signature', async (s) => {
  // An update channel on loopback whose release is not signed by the app's key.
  const release = Buffer.from('not a real package');
  const signature = Buffer.from(
    "untrusted comment: signature from a key that is not the app's\n" +
      'RUQ' +
      'A'.repeat(97) +
      '\ntrusted comment: x\n' +
      'B'.repeat(88) +
      '\n',
  ).toString('base64');
  const server = createServer((request, response) => {
    if (request.url === '/latest.json') {
      const base = `http://127.0.0.1:${server.address().port}`;
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          version: '9.9.9',
          notes: 'Faster alerts; the tray shows the count.',
          pub_date: '2026-12-01T09:00:00Z',
          platforms: { 'linux-x86_64': { signature, url: `${base}/makini-desk_9.9.9_amd64.deb` } },
        }),
      );
    } else if (request.url === '/makini-desk_9.9.9_amd64.deb') {
      response.end(release);
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const endpoint = `http://127.0.0.1:${server.address().port}/latest.json`;
    const saved = await s.execute(
      `return window.__TAURI_INTERNALS__.invoke('settings_show', { request: {} })
        .then((settings) => window.__TAURI_INTERNALS__.invoke('settings_update', {
          request: { ...settings, update_endpoint: arguments[0] } }))
        .then((settings) => settings.update_endpoint);`,
      [endpoint],
    );
    assert(saved === endpoint, `the channel is saved: ${saved}`);
    await s.click(await s.waitForRole('link', 'Settings'));
    await s.click(await s.waitForRole('button', 'Check for updates'));
    await s.waitForText(/Makini Desk 9\.9\.9 is available/);
    await s.waitForText(/Faster alerts; the tray shows the count\./);
    await s.click(await s.waitForRole('button', 'Install 9.9.9'));
    await s.click(await s.waitForRole('button', 'Install'));
    await s.waitForText(/signature does not match this app's public key/, 30000);
    await s.waitForText(/nothing was installed/);
    await shot(s, 'update-refused-light');
  } finally {
    server.close();
  }
});

step('dark, and the minimum window size', async (s) => {
  await s.click(await s.waitForRole('link', 'Overview'));
  await s.waitForRole('heading', 'Overview');
  await setTheme(s, 'Dark');
  const theme = await s.execute('return document.documentElement.dataset.theme;');
  assert(theme === 'dark', `theme ${theme}`);
  await shot(s, 'overview-dark');
  await s.setWindowSize(720, 480);
  await new Promise((r) => setTimeout(r, 800));
  const inner = await s.execute('return [window.innerWidth, window.innerHeight];');
  assert(inner[0] <= 760 && inner[1] <= 520, `the window shrank to its minimum: ${inner}`);
  await s.waitForRole('heading', 'Overview');
  await shot(s, 'overview-dark-min');
  await s.setWindowSize(100, 100);
  await new Promise((r) => setTimeout(r, 500));
  const floor = await s.execute('return [window.innerWidth, window.innerHeight];');
  assert(floor[0] >= 700 && floor[1] >= 440, `the window keeps its minimum size: ${floor}`);
  await setTheme(s, 'Light');
  await shot(s, 'overview-light-min');
  await setTheme(s, 'Match the system');
});

step(
  'the window reopens at the size it was left, on the same data',
  async (s) => {
    await s.waitForRole('heading', 'Overview', 60000);
    const inner = await s.execute('return [window.innerWidth, window.innerHeight];');
    assert(
      inner[0] <= 760 && inner[1] <= 520,
      `the window came back at its last size (720x480), not the default 1100x720: ${inner}`,
    );
    await s.waitForRole('table', 'Connections');
  },
  { restart: true },
);

let passed = 0;
let failed = 0;
await waitForDriver(driver);
let session = await Session.start(driver, application);
try {
  for (const { name, run, restart } of steps) {
    const started = Date.now();
    try {
      if (restart) {
        // The window state is saved shortly after the last resize; the app then quits as a
        // user quits it, and starts again.
        await new Promise((r) => setTimeout(r, 1000));
        await session.end();
        // The first app must be gone, or the new one would hand over to it (one instance).
        const gone = Date.now() + 20000;
        while (spawnSync('pgrep', ['-x', 'makini-desk']).status === 0 && Date.now() < gone)
          await new Promise((r) => setTimeout(r, 200));
        session = await Session.start(driver, application);
      }
      await run(session);
      passed++;
      console.log(`ok   window: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL window: ${name}: ${e?.stack ?? e}`);
      await shot(session, `failed-${passed + failed}`).catch(() => {});
      break; // later steps stand on earlier ones
    }
  }
} finally {
  await session.end().catch((e) => console.log(`note: ending the session: ${e.message}`));
}
const skipped = steps.length - passed - failed;
if (skipped) console.log(`${skipped} later step(s) not run after the failure`);
console.log(`${passed} passed, ${failed + skipped} failed`);
process.exit(failed || skipped ? 1 : 0);
