// Checks the built UI against the rules the CSP and the platform split depend on. Run by
// `npm run build` after vite; exits non-zero with the reasons when a rule is broken.
//  1. index.html has no inline script, no <style> element and no style="" attribute.
//  2. No compiled template carries a style="" attribute (the CSP would drop it silently).
//  3. The Tauri transport (and @tauri-apps/api) is a chunk of its own that nothing in the
//     browser's static import graph reaches: a browser never fetches it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const assets = join(dist, 'assets');
const problems = [];

const html = readFileSync(join(dist, 'index.html'), 'utf8');
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
  if (!/\bsrc=/.test(m[1] ?? '') || (m[2] ?? '').trim())
    problems.push('index.html has an inline script');
}
if (/<style\b/.test(html)) problems.push('index.html has a <style> element');
if (/\sstyle=/.test(html)) problems.push('index.html has a style="" attribute');

const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
const code = new Map(js.map((f) => [f, readFileSync(join(assets, f), 'utf8')]));
// bits-ui's Command wraps groups and items in <div style="display: contents;">. Under our CSP
// the attribute is dropped; CommandPalette.svelte sets the same rule from its stylesheet, so
// the layout holds. That one literal is tolerated; any other style="" is a bug.
const TOLERATED = 'style="display: contents;"';
for (const [file, text] of code) {
  // Compiled Svelte templates are HTML strings; a static style attribute would sit in one.
  const rest = text.split(TOLERATED).join('');
  if (/<[a-z][^<>`]*\sstyle="/.test(rest))
    problems.push(`${file} has a template with a style="" attribute`);
}

// The Tauri API's own IPC names mark its code.
const TAURI_MARK = 'plugin:event|listen';
const tauriChunks = js.filter((f) => code.get(f)?.includes(TAURI_MARK));
if (tauriChunks.length !== 1)
  problems.push(`expected one Tauri chunk, found ${tauriChunks.length}`);

const entry = /<script[^>]+src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
if (!entry) problems.push('index.html names no entry script');

/** The files a chunk imports statically (import ... from "./x.js" and bare import "./x.js"). */
function staticImports(file) {
  const text = code.get(file) ?? '';
  const found = new Set();
  for (const m of text.matchAll(
    /(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g,
  )) {
    found.add(m[1]);
  }
  return [...found];
}
const reached = new Set();
const queue = entry ? [entry] : [];
while (queue.length) {
  const file = queue.pop();
  if (reached.has(file)) continue;
  reached.add(file);
  queue.push(...staticImports(file));
}
for (const t of tauriChunks) {
  if (reached.has(t))
    problems.push(`the browser's static import graph reaches the Tauri chunk ${t}`);
  if (html.includes(t)) problems.push(`index.html preloads the Tauri chunk ${t}`);
}

if (problems.length) {
  console.error(`check-dist: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-dist: ok (entry ${entry}, ${reached.size} chunk(s) statically loaded, Tauri in ${tauriChunks.join(', ')} only)`,
);
