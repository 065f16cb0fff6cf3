// Anchors of the audit log, kept outside the database. The hash chain (audit.ts) shows any entry
// altered or removed in the middle, but not the newest entries removed: the chain that is left is
// still a valid chain. So the API writes the log's head (entry id and hash) to an append-only text
// file from time to time, and `verify` checks the table against every anchor: an anchored entry
// that is missing, or whose hash differs, means the log lost its tail or was rewritten. The file
// is only as good as its copies: keep one off the machine (docs/operations.md).
//
// One anchor a line: "<seq> <entry id> <entry hash> <ISO time>", seq counting from 1 in the file.
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export const ANCHOR_FILE_NAME = 'audit-anchors.log';

export interface AuditAnchor {
  seq: number;
  /** The audit entry that was the head. */
  id: number;
  hash: string;
  /** When it was anchored (epoch ms). */
  at: number;
  /** The file it was read from, when several are checked together (one per node). */
  source?: string;
}

export interface AnchorFile {
  anchors: AuditAnchor[];
  /** Lines that are not anchors, or a seq that skips: the file itself was edited. */
  problems: string[];
}

export const formatAnchor = (a: AuditAnchor): string =>
  `${a.seq} ${a.id} ${a.hash} ${new Date(a.at).toISOString()}\n`;

const LINE = /^(\d+) (\d+) ([0-9a-f]{64}) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$/;
/** The start of an anchor line: what a crash in the middle of an append leaves. */
const TORN = /^\d+( \d*( [0-9a-f]*( [\dT:.Z-]*)?)?)?$/;

/**
 * Reads anchor lines. A line cut short by a crash while appending (a start of an anchor line, at
 * the end or followed by the newline the next writer adds) is left out; any other line that does
 * not parse is a problem, as is a seq that does not follow the one before.
 */
export function parseAnchors(text: string): AnchorFile {
  const anchors: AuditAnchor[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const m = LINE.exec(line);
    if (!m && TORN.test(line)) return;
    if (!m) {
      problems.push(`line ${i + 1} is not an anchor: ${JSON.stringify(line.slice(0, 120))}`);
      return;
    }
    const anchor = { seq: Number(m[1]), id: Number(m[2]), hash: m[3]!, at: Date.parse(m[4]!) };
    const expected = (anchors.at(-1)?.seq ?? 0) + 1;
    if (anchor.seq !== expected) {
      problems.push(`line ${i + 1} has anchor ${anchor.seq} where ${expected} was due (lines were removed)`);
    }
    anchors.push(anchor);
  });
  return { anchors, problems };
}

/** The anchors in `file`; none when it does not exist (yet). */
export async function readAnchorFile(file: string): Promise<AnchorFile> {
  if (!existsSync(file)) return { anchors: [], problems: [] };
  return parseAnchors(await readFile(file, 'utf8'));
}

/**
 * Appends anchors to one file, each line synced to disk before `append` resolves. Appends are
 * queued, so concurrent callers never interleave lines.
 */
export class AnchorLog {
  private handle: FileHandle | null = null;
  private last: AuditAnchor | null = null;
  private loaded = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** The newest anchor in the file (read once, then kept). */
  async latest(): Promise<AuditAnchor | null> {
    if (!this.loaded) {
      this.last = (await readAnchorFile(this.file)).anchors.at(-1) ?? null;
      this.loaded = true;
    }
    return this.last;
  }

  /** Anchors `head` unless it is the newest anchor already; resolves with the new anchor or null. */
  append(head: { id: number; hash: string }, at: number): Promise<AuditAnchor | null> {
    const run = this.queue.then(async () => {
      const last = await this.latest();
      if (last && last.id === head.id && last.hash === head.hash) return null;
      const anchor = { seq: (last?.seq ?? 0) + 1, id: head.id, hash: head.hash, at };
      if (!this.handle) {
        await mkdir(path.dirname(this.file), { recursive: true });
        this.handle = await open(this.file, 'a+', 0o600);
        // After a torn append, start on a line of our own.
        const { size } = await this.handle.stat();
        const lastByte = Buffer.alloc(1);
        if (size > 0 && (await this.handle.read(lastByte, 0, 1, size - 1)).bytesRead === 1) {
          if (lastByte[0] !== 0x0a) await this.handle.write('\n');
        }
      }
      await this.handle.write(formatAnchor(anchor));
      await this.handle.datasync();
      this.last = anchor;
      return anchor;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = null;
  }
}
