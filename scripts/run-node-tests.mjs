// Runs every *.test.ts under the given workspaces' test folders with Node's test runner through
// tsx. Node 20's runner does not expand globs or find .ts files by itself, hence this script.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';

// --skip <folder> (repeatable): leave out test folders another run covers (e.g. api/test/process,
// whose tests always start PostgreSQL-backed servers, run only in the PostgreSQL pass).
const args = process.argv.slice(2);
const skip = [];
const roots = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--skip') skip.push(path.resolve(args[++i]));
  else roots.push(args[i]);
}
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (!skip.includes(path.resolve(full))) walk(full);
    } else if (name.endsWith('.test.ts')) files.push(full);
  }
};
for (const root of roots) {
  const dir = path.join(root, 'test');
  if (existsSync(dir)) walk(dir);
}
if (files.length === 0) {
  console.error(`No test files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
