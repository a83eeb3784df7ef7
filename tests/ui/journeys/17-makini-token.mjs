// A Makini profile's connection has no token in the vault, so its records are not mirrored:
// the connection page says so. Pasting the integrator's token mirrors them and leaves that
// token working; issuing a new one from the app asks for a confirmation that names the
// consequence, and the consequence is real (the engine's Makini surface replaces the token).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assert,
  assertEqual,
  callAction,
  openConnection,
  spawnMdesk,
  waitUntil,
} from '../lib/harness.mjs';

const CLIENT_ID = 'journey-makini';
const CLIENT_SECRET = 'cs_journey_makini_secret';
const NAME = 'Token journey plant';

const start = spawnMdesk;

/** The engine's own API with its admin token, as an integrator's backend calls it. */
async function adminApi(base) {
  const answer = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }),
  });
  const { access_token: admin } = await answer.json();
  return async (path, body) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** The status the engine answers a data read with `token` (what the integrator's code sees). */
async function readsWith(base, token) {
  const answer = await fetch(`${base}/api/eam/work-orders?per_page=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return answer.status;
}

export async function run({ page, shot }) {
  // Apart: on one data folder the app's local profile would attach to this engine and mirror
  // the same connection under the local profile too.
  const dir = mkdtempSync(join(tmpdir(), 'mdesk-makini-token-'));
  const appDir = mkdtempSync(join(tmpdir(), 'mdesk-makini-token-app-'));
  let engine;
  let app;
  try {
    engine = await start(
      dir,
      [
        'engine',
        'serve',
        '--addr',
        '127.0.0.1:0',
        '--seed',
        'demo',
        '--client-id',
        CLIENT_ID,
        '--client-secret',
        CLIENT_SECRET,
      ],
      /listening on (http:\/\/\S+)/,
    );
    const base = engine.match[1].replace(/\/$/, '');
    const post = await adminApi(base);
    const customer = await post('/api/v1/customers', {
      name: 'Token Journey Ltd',
    });
    const created = await post('/api/v1/connections', {
      customer_id: customer.id,
      system_id: 'upkeep',
      deployment: 'cloud',
      name: NAME,
      credentials: { email: 'ops@example.com', password: 'hunter2' },
    });
    const id = created.connection.id;
    const integrators = created.token;
    assertEqual(await readsWith(base, integrators), 200, "the integrator's token reads");

    app = await start(appDir, ['serve', '--addr', '127.0.0.1:0'], /open (http:\/\/\S+\?token=\S+)/);
    const openUrl = app.match[1];
    await callAction(openUrl, 'profile_add', {
      name: 'makini',
      kind: 'makini',
      url: base,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    await callAction(openUrl, 'profile_switch', { name: 'makini' });
    // The connections are listed through Makini's /api/system routes; no token is issued.
    const listed = await callAction(openUrl, 'sync_run', { full: false });
    assert(
      listed.skipped.some((s) => s.connection_id === id),
      `the new connection's records were skipped: ${JSON.stringify(listed.skipped)}`,
    );

    await page.goto(openUrl);
    await openConnection(page, NAME);
    const access = page.getByRole('region', { name: 'Record access' });
    await access.getByText('Records of this connection are not mirrored').waitFor();
    await shot('no-token');

    // Issuing needs the consequence acknowledged; cancelling changes nothing.
    await access.getByRole('button', { name: 'Issue a new token…' }).click();
    let dialog = page.getByRole('dialog', {
      name: `Issue a new token for ${NAME}?`,
    });
    await dialog.getByText('401 Unauthorized').waitFor();
    const issue = dialog.getByRole('button', { name: 'Issue token' });
    assert(await issue.isDisabled(), 'Issue token waits for the acknowledgement');
    await shot('issue-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assertEqual(await readsWith(base, integrators), 200, 'cancelling issued nothing');

    // The integrator's own token, pasted: records are mirrored and the token keeps working.
    await access.getByLabel('Connection token').fill(integrators);
    await access.getByRole('button', { name: 'Keep token and sync' }).click();
    await page.getByText('Token kept in the vault').waitFor();
    await access.getByText('read with the token kept in Makini Desk').waitFor();
    await page
      .getByRole('status')
      .getByText(/Sync finished · [\d,]+ records? pulled/)
      .waitFor({
        timeout: 60000,
      });
    const sources = await callAction(openUrl, 'records_sources', {
      connection_ids: [id],
      check_platform: false,
    });
    const mirrored = sources.entities.reduce((sum, e) => sum + e.records, 0);
    assert(mirrored > 0, `records mirrored with the pasted token: ${mirrored}`);
    assertEqual(await readsWith(base, integrators), 200, "the integrator's token still reads");
    await shot('token-kept');

    // A new token on request: after the acknowledgement the integrator's token is replaced.
    await access.getByRole('button', { name: 'Replace token' }).click();
    await access.getByRole('button', { name: 'Issue a new token…' }).click();
    dialog = page.getByRole('dialog', {
      name: `Issue a new token for ${NAME}?`,
    });
    await dialog
      .getByRole('checkbox', {
        name: 'I understand the current token may stop working',
      })
      .check();
    await dialog.getByRole('button', { name: 'Issue token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('New token issued').waitFor();
    await waitUntil(
      async () => (await readsWith(base, integrators)) === 401,
      "the integrator's token was replaced, as the dialog said",
    );
    const state = await callAction(openUrl, 'connection_token_show', { id });
    assert(state.kept && state.issuing === 'may_replace_current', JSON.stringify(state));
  } finally {
    // The page leaves the app first: its event stream would otherwise retry the stopped app and
    // log ERR_CONNECTION_REFUSED before the browser closes.
    await page
      .goto('about:blank')
      .catch((e) => console.log(`note: the page did not leave the app: ${e}`));
    app?.child.kill('SIGINT');
    engine?.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
    rmSync(appDir, { recursive: true, force: true });
  }
}
