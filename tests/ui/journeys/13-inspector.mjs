// The webhook inspector: a webhook the engine sends appears live with a valid signature; a
// tampered one (posted here with a bad signature) shows invalid with the explainer's reason;
// replay, forward to a local receiver, edit and resend.
import { createServer } from 'node:http';
import { assert, assertEqual, callAction, waitUntil } from '../lib/harness.mjs';

/** A receiver on 127.0.0.1 that keeps what it was sent. */
async function receiver() {
  const got = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    got,
    close: () => server.close(),
  };
}

export async function run({ page, server, shot }) {
  const local = await receiver();
  try {
    await page.goto(server.openUrl);
    await page.getByRole('table', { name: 'Connections' }).getByRole('link').first().waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Webhooks' });

    // Disconnecting a connection makes the engine send connection.disconnected to the app's
    // inbox (subscribed at start): it appears without a reload.
    const healthy = await callAction(server.openUrl, 'connections_list', {
      health: ['healthy'],
      limit: 1,
    });
    const connection = healthy.rows[0].id;
    await page.getByRole('searchbox', { name: 'Search webhooks' }).fill(connection);
    await page.waitForTimeout(500);
    await callAction(server.openUrl, 'connection_disconnect', { id: connection });
    const engineRow = table
      .getByRole('row', { name: /connection\.disconnected, signature valid/ })
      .first();
    await engineRow.waitFor({ timeout: 60000 });
    // The row names the connection and its customer from the mirror (the webhook has ids).
    const named = healthy.rows[0];
    await engineRow.getByRole('cell', { name: named.name, exact: true }).waitFor();
    await engineRow.getByRole('cell', { name: named.customer_name, exact: true }).waitFor();
    await shot('list');
    await engineRow.click();
    const panel = page.getByRole('complementary', { name: /Webhook #\d+/ });
    await panel.getByText('Signature Valid', { exact: true }).waitFor();
    await panel.getByText('One of the received signatures equals the expected one.').waitFor();
    await panel.getByText('Checked with the secret named "inbox-secret".').waitFor();
    await shot('valid');

    // Tampered: signed with the wrong secret, posted straight to the inbox's route.
    const id = `evt_tampered_${Date.now()}`;
    const body = JSON.stringify({
      id,
      type: 'connection.status_changed',
      created_at: new Date().toISOString(),
      connection_id: connection,
      customer_id: 'cus_x',
      data: { previous: 'active', current: 'inactive', online: false },
    });
    const posted = await fetch(`${server.base}/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,bm90IHRoZSByaWdodCBzaWduYXR1cmUgYXQgYWxsIQ==',
      },
      body,
    });
    assertEqual(posted.status, 401, 'the inbox refuses a bad signature');
    await page.getByRole('searchbox', { name: 'Search webhooks' }).fill(id);
    const tampered = table.getByRole('row', { name: /signature invalid/ }).first();
    await tampered.waitFor();
    await tampered.click();
    const bad = page.getByRole('complementary', { name: /Webhook #\d+/ });
    await bad.getByText('Signature Invalid', { exact: true }).waitFor();
    await bad.getByText(/None of the received signatures equals the expected one/).waitFor();
    await bad.getByText(/^invalid: /).waitFor();
    await shot('invalid');

    // Replay the engine's webhook, with its preview.
    await page.getByRole('searchbox', { name: 'Search webhooks' }).fill(connection);
    await engineRow.click();
    await panel.getByRole('button', { name: 'Replay…' }).click();
    const replay = page.getByRole('dialog', { name: 'Replay into processing' });
    await replay.getByText(/1\s+webhook will be replayed/).waitFor();
    await replay.getByRole('button', { name: /^Replay 1/ }).click();
    await page.getByText('1 replayed').waitFor();

    // Forward it to the local receiver: same id, signed anew.
    await panel.getByRole('button', { name: 'Forward…' }).click();
    const forward = page.getByRole('dialog', { name: 'Forward to a local URL' });
    await forward.getByRole('textbox', { name: 'Receiver URL' }).fill(local.url);
    await forward.getByRole('button', { name: 'Forward 1' }).click();
    await page.getByText('1 of 1 forwarded').waitFor();
    await waitUntil(() => local.got.length === 1, 'the receiver got the forward');
    assert(local.got[0].headers['webhook-signature']?.startsWith('v1,'), 'forward is signed');
    const forwardedId = local.got[0].headers['webhook-id'];
    assert(forwardedId?.startsWith('evt_'), `forward keeps the event id (${forwardedId})`);

    // Edit and resend into this inbox under a new id: stored, verified, recorded beside it.
    await panel.getByRole('button', { name: 'Edit and resend…' }).click();
    const edit = page.getByRole('dialog', { name: /Edit and resend #\d+/ });
    const box = edit.getByRole('textbox', { name: 'Body (JSON)' });
    const original = await box.inputValue();
    const editedId = `evt_edited_${Date.now()}`;
    await box.fill(original.replace(/"id": "evt_[^"]+"/, `"id": "${editedId}"`));
    await shot('edit');
    await edit.getByRole('button', { name: 'Resend' }).click();
    await page.getByText('Resent: answered 200').waitFor();
    await panel
      .getByRole('list', { name: 'Edited resends' })
      .getByText(/stored as #\d+/)
      .waitFor();
    await page.getByRole('searchbox', { name: 'Search webhooks' }).fill(editedId);
    await table
      .getByRole('row', { name: /signature valid/ })
      .first()
      .waitFor();
    await shot('resent');
  } finally {
    local.close();
  }
}
