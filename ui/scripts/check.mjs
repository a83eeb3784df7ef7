// `npm run check`: svelte-check, failing on any error or warning in our code. Problems inside
// src/lib/generated/ are printed but do not fail the check: that folder is written by the Rust
// side (scripts/generate-types.sh) and must be fixed there, never edited here. Set
// STRICT_GENERATED=1 to fail on them too.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npx', ['svelte-check', '--output', 'machine'], { encoding: 'utf8' });
const lines = `${run.stdout}\n${run.stderr}`.split('\n');
const problems = lines.filter((l) => / (ERROR|WARNING) "/.test(l));
const generated = problems.filter((l) => l.includes('"src/lib/generated/'));
const ours = problems.filter((l) => !l.includes('"src/lib/generated/'));
const completed = lines.find((l) => l.includes(' COMPLETED '));

const show = (l) => l.replace(/^\d+ /, '  ');
if (generated.length) {
  console.warn(`generated types (fix in Rust, then scripts/generate-types.sh):`);
  for (const l of generated) console.warn(show(l));
}
if (ours.length) {
  console.error('svelte-check problems:');
  for (const l of ours) console.error(show(l));
}
if (!completed) {
  console.error(`svelte-check did not complete:\n${run.stdout}${run.stderr}`);
  process.exit(1);
}
console.log(
  `svelte-check: ${ours.length} errors and warnings in our code, ${generated.length} in generated types`,
);
// A problem in a generated file is fixed in the Rust types it comes from, but it still fails.
process.exit(ours.length || generated.length ? 1 : 0);
