// The browser mode's doors: no cookie, no answer; another site's Origin and another Host name
// are refused (DNS rebinding). Spoken with node:http, which lets a test set Host.
import { request } from 'node:http';
import { assertEqual, assert } from '../lib/harness.mjs';

function post(base, path, headers = {}) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

/** The page's own fetch without credentials is refused on purpose. */
export const expectedConsole = [/status of 401/];

export async function run({ page, server }) {
  // A session cookie, as the launch URL gives it to the browser.
  await page.goto(server.openUrl);
  const cookies = await page.context().cookies(server.base);
  assert(cookies.length > 0, 'the launch URL set a cookie');
  assert(
    cookies.every((c) => c.httpOnly),
    'the session cookie is HttpOnly',
  );
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const host = new URL(server.base).host;

  const ok = await post(server.base, '/api/actions/app_status', { cookie, host });
  assertEqual(ok.status, 200, 'with the cookie an action answers');

  const none = await post(server.base, '/api/actions/app_status', { host });
  assertEqual(none.status, 401, 'without the cookie');
  assertEqual(JSON.parse(none.body).error?.code, 'UNAUTHENTICATED', 'the 401 carries its code');

  const foreign = await post(server.base, '/api/actions/app_status', {
    cookie,
    host,
    origin: 'http://evil.test',
  });
  assertEqual(foreign.status, 403, 'a foreign Origin');

  const rebinding = await post(server.base, '/api/actions/app_status', {
    cookie,
    host: `evil.test:${new URL(server.base).port}`,
  });
  assert(
    rebinding.status === 403 || rebinding.status === 421 || rebinding.status === 400,
    `a wrong Host is refused (${rebinding.status})`,
  );

  // From inside the page, a fetch without credentials carries no cookie.
  const status = await page.evaluate(
    async () =>
      (await fetch('/api/actions/app_status', { method: 'POST', credentials: 'omit', body: '{}' }))
        .status,
  );
  assertEqual(status, 401, 'a fetch without credentials from the page');
}
