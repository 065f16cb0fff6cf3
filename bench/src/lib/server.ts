// Starts the real server (`node --import tsx api/src/server.ts`) as a child process on a free
// loopback port, waits for /api/health, measures its CPU time from /proc, and stops it (SIGTERM).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { BENCH_HOST, Client } from './http.ts';

export interface ServerHandle {
  pid: number;
  port: number;
  /** User + system CPU time of the server process so far (ms), or null off Linux. */
  cpuMs(): number | null;
  /** The last lines the server printed (for errors). */
  output(): string;
  /** SIGTERM, then wait (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, BENCH_HOST, () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

let clockTicks: number | null = null;
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process in ms, from /proc/<pid>/stat (Linux). */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5); index 0 here is field 3.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** The open-files limits (`ulimit -Sn`, `ulimit -Hn`) a child of this process starts with. */
export function openFileLimits(): { soft: number; hard: number } {
  try {
    const [soft, hard] = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((v) => (v.trim() === 'unlimited' ? Infinity : Number(v)));
    return { soft: soft ?? 1024, hard: hard ?? soft ?? 1024 };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}

/**
 * The command that runs `command args` with at least `limit` open files: itself when the inherited
 * soft limit is enough, else through a shell that raises it (`exec` keeps the pid, so /proc reads
 * and signals reach node). Above the hard limit only root (CAP_SYS_RESOURCE) can raise it.
 */
export function withFileLimit(command: string, args: string[], limit?: number): [string, string[]] {
  if (limit === undefined) return [command, args];
  const { soft, hard } = openFileLimits();
  if (soft >= limit) return [command, args];
  if (limit > hard && process.getuid?.() !== 0) {
    throw new Error(
      `needs ${limit} open files, above the hard limit ${hard}: raise it (ulimit -Hn, LimitNOFILE) and retry`,
    );
  }
  return ['/bin/sh', ['-c', `ulimit -n ${Math.ceil(limit)} && exec "$0" "$@"`, command, ...args]];
}

export async function startServer(opts: {
  root: string;
  port: number;
  env: Record<string, string>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  timeoutMs?: number;
  /** Raise the server's open-files limit to this (`ulimit -n` in a shell that execs node). */
  fileLimit?: number;
  /** Another entry point than the real server (relative to `root`), e.g. a floor to compare with. */
  script?: string;
}): Promise<ServerHandle> {
  // A clean environment: only what a shell needs plus the bench's settings, so that variables of
  // the calling shell (REDIS_URL, ADMIN_*, ...) cannot change the server under test.
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  const args = [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.script ?? 'api/src/server.ts'];
  const [command, argv] = withFileLimit(process.execPath, args, opts.fileLimit);
  const child: ChildProcess = spawn(command, argv, {
    cwd: opts.root,
    env: { ...base, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve(exitCode);
    }),
  );

  const handle: ServerHandle = {
    pid: child.pid!,
    port: opts.port,
    cpuMs: () => processCpuMs(child.pid!),
    output: () => lines.join('\n'),
    async stop(graceMs = 20_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };

  const client = new Client(opts.port, 1, 2000);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  try {
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(`the server exited (code ${exitCode}) before it was ready:\n${handle.output()}`);
      }
      const res = await client.send({ method: 'GET', path: '/api/health' });
      if (res.status === 200) return handle;
      if (Date.now() > deadline) {
        await handle.stop();
        throw new Error(
          `the server did not become healthy in time (last: ${res.status || res.error}):\n${handle.output()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}
