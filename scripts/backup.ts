// `npm run backup -- <file>`: a consistent online copy of the SQLite database (safe while the
// server runs: SQLite's backup API copies committed pages, WAL included), and beside it a copy of
// the audit log's anchor file (<file>.audit-anchors.log), which `npm run audit:verify` checks the
// log against (AUDIT_ANCHORS=<that file>). Copy both off the machine: an anchor file left only
// beside the database it anchors can be cut back together with it. Uploaded images
// (DATA_DIR/images, content-addressed and never changed) are copied to <file>.images/, skipping
// those already there, so repeated backups to one place copy only new images.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ANCHOR_FILE_NAME } from '@quizarena/db';
import { backupSqliteFile } from '@quizarena/db/backup';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const source = path.join(dataDir, 'quizarena.sqlite');
const target =
  process.argv[2] ?? path.join(dataDir, `backup-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`);
if (!existsSync(source)) {
  console.error(`No database at ${source} (set DATA_DIR to the server's data directory)`);
  process.exit(2);
}

// The anchors first: each names an entry that is then in the database copied next, so the pair
// verifies on its own (copied the other way round, a newer anchor could name a later entry).
const anchors = path.join(dataDir, ANCHOR_FILE_NAME);
if (existsSync(anchors)) {
  const anchorsTarget = `${target}.${ANCHOR_FILE_NAME}`;
  copyFileSync(anchors, anchorsTarget);
  console.log(`Copied the audit anchors ${anchors} to ${anchorsTarget}`);
} else {
  console.warn(`No audit anchor file at ${anchors} (the server writes it once the log has entries)`);
}

const t0 = Date.now();
await backupSqliteFile(source, target);
console.log(`Backed up ${source} to ${target} in ${Date.now() - t0} ms`);

const images = path.join(dataDir, 'images');
if (existsSync(images)) {
  const imagesTarget = `${target}.images`;
  mkdirSync(imagesTarget, { recursive: true });
  let copied = 0;
  for (const name of readdirSync(images)) {
    // Files being written are hidden (".name.tmp") and renamed when complete.
    if (name.startsWith('.') || existsSync(path.join(imagesTarget, name))) continue;
    copyFileSync(path.join(images, name), path.join(imagesTarget, name));
    copied += 1;
  }
  console.log(`Copied ${copied} new image(s) to ${imagesTarget}`);
}
