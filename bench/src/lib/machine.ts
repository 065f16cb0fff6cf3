// What the figures were measured on: CPU, cores, memory, Node, and the disk under DATA_DIR (its
// file system and how long an fdatasync of a 4 KiB append takes: the floor of a durable commit).
import { closeSync, fdatasyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile } from './stats.ts';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  dataDisk: {
    path: string;
    fileSystem: string;
    device: string;
    fdatasyncP50Ms: number;
    fdatasyncP99Ms: number;
  };
}

/** The mount holding `dir` (longest mount-point prefix in /proc/mounts). */
function mountOf(dir: string): { fileSystem: string; device: string } {
  try {
    let best = { point: '', fileSystem: '?', device: '?' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, point, fileSystem] = line.split(' ');
      if (!device || !point || !fileSystem) continue;
      const prefix = point.endsWith('/') ? point : `${point}/`;
      if ((dir === point || dir.startsWith(prefix)) && point.length >= best.point.length) {
        best = { point, fileSystem, device };
      }
    }
    return { fileSystem: best.fileSystem, device: best.device };
  } catch {
    return { fileSystem: '?', device: '?' };
  }
}

function fdatasyncLatency(dir: string, n = 200): { p50: number; p99: number } {
  const file = path.join(dir, `fsync-probe-${process.pid}.bin`);
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 7);
  const samples: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, block);
      const t = performance.now();
      fdatasyncSync(fd);
      samples.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export function machineInfo(dataRoot: string): MachineInfo {
  const cpus = os.cpus();
  const sync = fdatasyncLatency(dataRoot);
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    dataDisk: {
      path: dataRoot,
      ...mountOf(path.resolve(dataRoot)),
      fdatasyncP50Ms: sync.p50,
      fdatasyncP99Ms: sync.p99,
    },
  };
}

/** Busy CPU time of the whole machine so far (ms, all cores), from /proc/stat; null off Linux. */
export function machineBusyMs(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    const busyTicks = cpu.reduce((s, v, i) => (i === 3 || i === 4 || i > 7 ? s : s + v), 0);
    return (busyTicks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Share of the whole machine (0-100%) busy over the next `ms`. */
export async function machineBusyPct(ms: number): Promise<number | null> {
  const b0 = machineBusyMs();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b1 = machineBusyMs();
  if (b0 === null || b1 === null) return null;
  return ((b1 - b0) / (performance.now() - t0) / os.cpus().length) * 100;
}

/**
 * Other jobs on a shared machine skew every figure: waits (at most `maxSeconds`) until the machine
 * is less than `thresholdPct` busy. Returns the last reading.
 */
export async function waitForQuiet(
  maxSeconds: number,
  thresholdPct = 15,
): Promise<{ busyPct: number | null; waitedS: number }> {
  const t0 = performance.now();
  for (;;) {
    const busyPct = await machineBusyPct(1000);
    const waitedS = (performance.now() - t0) / 1000;
    if (busyPct === null || busyPct < thresholdPct || waitedS >= maxSeconds) return { busyPct, waitedS };
  }
}
