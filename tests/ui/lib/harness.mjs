// What every journey gets: a fresh `mdesk serve` with its demo workspace,
// Debian's chromium through playwright-core with a fresh profile, a screenshot helper and
// small assertions. No browser is downloaded.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../../../ui/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const SHOTS = join(ROOT, 'target-shots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** 1440x900, and the window's minimum from tauri.conf.json (minWidth x minHeight). */
export const SIZES = [
  { name: '1440x900', width: 1440, height: 900 },
  { name: '720x480', width: 720, height: 480 },
];
export const THEMES = ['light', 'dark'];

export function mdeskBinary() {
  if (process.env.MDESK_BIN) return process.env.MDESK_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/makini-desk/target');
  return join(target, 'debug/mdesk');
}

/** Starts `mdesk serve` on a free port with a fresh data folder; resolves with its URLs. */
export async function startServer(extraArgs = []) {
  const bin = mdeskBinary();
  if (!existsSync(bin)) throw new Error(`no mdesk binary at ${bin}: cargo build -p desk-cli first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mdesk-journey-'));
  const child = spawn(
    bin,
    ['--data-dir', dataDir, 'serve', '--addr', '127.0.0.1:0', ...extraArgs],
    {
      env: {
        ...process.env,
        MDESK_VAULT_PASSPHRASE: 'test',
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const urls = await new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(
      () => reject(new Error(`mdesk serve printed no URLs in 60 s:\n${log}`)),
      60000,
    );
    const read = (chunk) => {
      log += chunk;
      const listening = /listening on (http:\/\/\S+)/.exec(log);
      const open = /open (http:\/\/\S+\?token=\S+)/.exec(log);
      if (listening) found.base = listening[1].replace(/\/$/, '');
      if (open) found.openUrl = open[1];
      if (found.base && found.openUrl) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`mdesk serve exited with ${code}:\n${log}`)));
  });
  // A debug build reads ui/dist from the checkout it was compiled in; a binary built from
  // another checkout (a shared CARGO_TARGET_DIR) serves that one's UI, or none.
  const page = await (await fetch(`${urls.base}/`)).text();
  if (!page.includes('<div id="app">')) {
    child.kill('SIGINT');
    throw new Error(
      `${bin} serves no UI from this checkout (built elsewhere?): ${page.slice(0, 120)}`,
    );
  }
  return {
    ...urls,
    kind: 'mdesk',
    log: () => log,
    stop: () => {
      child.kill('SIGINT');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'mdesk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves one screenshot per theme and size: target-shots/<journey>-<step>-<theme>-<size>.png. */
export function shooter(page, journey) {
  mkdirSync(SHOTS, { recursive: true });
  return async (step) => {
    const before = page.viewportSize();
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      for (const size of SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.waitForTimeout(150);
        await page.screenshot({
          path: join(SHOTS, `${journey}-${step}-${theme}-${size.name}.png`),
        });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    if (before) await page.setViewportSize(before);
  };
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function assertEqual(actual, expected, message) {
  if (actual !== expected)
    throw new Error(
      `${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
}

/** Polls `check` until it holds (the UI debounces and fetches; a fixed sleep would be flaky). */
export async function waitUntil(check, message, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not there yet (an element between renders); try again.
    }
    if (Date.now() > end) throw new Error(`timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Calls an action over HTTP as a script would: `Authorization: Bearer` with the launch token. */
export async function callAction(openUrl, name, request) {
  const url = new URL(openUrl);
  const answer = await fetch(`${url.origin}/api/actions/${name}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${url.searchParams.get('token')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(request),
  });
  const json = await answer.json();
  if (!answer.ok) throw new Error(`${name}: ${answer.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Opens a connection's page from the overview the way a person does: search its name, wait for
 * the list to hold only the matches, click it. Rows are keyed by slot and the search is
 * debounced, so a link located before the answer arrives can be replaced between the press and
 * the release, and the click then lands on no row at all.
 */
export async function openConnection(page, name) {
  await page.getByRole('searchbox', { name: 'Search connections' }).fill(name);
  const table = page.getByRole('table', { name: 'Connections' });
  await waitUntil(async () => {
    const names = await table.getByRole('link').allInnerTexts();
    return names.length > 0 && names.every((n) => n.includes(name));
  }, `the overview lists only ${name}`);
  await table.getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
}

/** The pool's "Available" figure as the Connection credits card shows it (overview, credits). */
export async function poolAvailable(page) {
  const pool = page.getByRole('region', { name: 'Connection credits' });
  const value = pool
    .locator('dt', { hasText: /^Available$/ })
    .locator('xpath=following-sibling::dd');
  await waitUntil(async () => /\d/.test(await value.innerText()), 'the pool shows a figure');
  return Number((await value.innerText()).replace(/[^\d-]/g, ''));
}

/**
 * Spawns `mdesk --data-dir DIR ...args` (an engine, or a second app) beside the journey's server
 * and waits for `pattern` in its output: `{ child, match, log }`.
 */
export async function spawnMdesk(dir, args, pattern) {
  const child = spawn(mdeskBinary(), ['--data-dir', dir, ...args], {
    env: { ...process.env, MDESK_VAULT_PASSPHRASE: 'test', RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in 60 s:\n${log}`)), 60000);
    const read = (chunk) => {
      log += chunk;
      const m = pattern.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`mdesk ${args[0]} exited with ${code}:\n${log}`)));
  });
  return { child, match, log: () => log };
}
