// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time,
// and self time by package, optionally cut to a time window (CLOCK_MONOTONIC µs, the clock both
// V8's profile timestamps and process.hrtime use on Linux), so that one phase of a bench run can be
// read apart from start-up and the other phases.
//
// Run: node --import tsx bench/src/cpuprofile.ts <file.cpuprofile> [--from <µs>] [--to <µs>] [--top 25]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  location: string;
  selfMs: number;
  /** Of the busy (non-idle) time in the window. */
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  idleMs: number;
  gcMs: number;
  top: FunctionTime[];
  /** Top functions by inclusive time among the project's own code (api/, db/, seed/). */
  projectInclusive: FunctionTime[];
  byPackage: { pkg: string; selfMs: number; selfPct: number }[];
}

const root = path.resolve(import.meta.dirname, '..', '..');

/** A short location: project-relative path, node_modules/<pkg>/..., node:internal, or (native). */
function location(frame: CallFrame): string {
  let url = frame.url;
  if (!url) return '(native)';
  if (url.startsWith('file://')) url = url.slice('file://'.length);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) url = url.slice(nm + 1);
  else if (url.startsWith(root + '/')) url = url.slice(root.length + 1);
  return `${url}:${frame.lineNumber + 1}`;
}

function packageOf(frame: CallFrame): string {
  const url = frame.url;
  if (['(garbage collector)', '(program)', '(idle)', '(root)'].includes(frame.functionName) && !url)
    return frame.functionName;
  if (!url) return '(native: V8 builtins, C++ bindings)';
  if (url.startsWith('node:')) return 'node: core (http, net, streams, ...)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const rel = url.replace(/^file:\/\//, '');
  if (rel.startsWith(root + '/'))
    return `project: ${rel
      .slice(root.length + 1)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return 'other';
}

const isProject = (frame: CallFrame): boolean => {
  const url = frame.url.replace(/^file:\/\//, '');
  return url.startsWith(root + '/') && !url.includes('/node_modules/');
};

export function summariseProfile(
  profile: CpuProfile,
  opts: { fromUs?: number; toUs?: number; top?: number } = {},
): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const key = (f: CallFrame) => `${f.functionName || '(anonymous)'}\u0000${location(f)}`;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let windowUs = 0;
  let idleUs = 0;
  let gcUs = 0;

  const from = opts.fromUs ?? -Infinity;
  const to = opts.toUs ?? Infinity;
  let t = profile.startTime;
  const n = profile.samples.length;
  for (let i = 0; i < n; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    // A sample stands for the time until the next one.
    const dt = Math.max(0, i + 1 < n ? (profile.timeDeltas[i + 1] ?? 0) : 0);
    windowUs += dt;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') {
      idleUs += dt;
      continue;
    }
    if (f.functionName === '(garbage collector)') gcUs += dt;
    const k = key(f);
    self.set(k, (self.get(k) ?? 0) + dt);
    const pkg = packageOf(f);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!isProject(frame)) continue;
      const pk = key(frame);
      if (seen.has(pk)) continue;
      seen.add(pk);
      total.set(pk, (total.get(pk) ?? 0) + dt);
    }
  }

  const busyUs = windowUs - idleUs;
  const pct = (us: number) => (busyUs > 0 ? (100 * us) / busyUs : 0);
  const row = (k: string, selfUs: number): FunctionTime => {
    const [name, loc] = k.split('\u0000') as [string, string];
    const totalUs = total.get(k) ?? selfUs;
    return {
      name,
      location: loc,
      selfMs: selfUs / 1000,
      selfPct: pct(selfUs),
      totalMs: totalUs / 1000,
      totalPct: pct(totalUs),
    };
  };
  const top = opts.top ?? 25;
  return {
    windowMs: windowUs / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    gcMs: gcUs / 1000,
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => row(k, us)),
    projectInclusive: [...total.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ ...row(k, self.get(k) ?? 0), totalMs: us / 1000, totalPct: pct(us) })),
    byPackage: [...pkgs.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([pkg, us]) => ({ pkg, selfMs: us / 1000, selfPct: pct(us) })),
  };
}

export function formatSummary(s: ProfileSummary, top = 20): string {
  const out: string[] = [];
  const pad = (v: string, w: number) => v.padStart(w);
  out.push(
    `window ${(s.windowMs / 1000).toFixed(2)} s: busy ${(s.busyMs / 1000).toFixed(2)} s, idle ${(s.idleMs / 1000).toFixed(2)} s, GC ${s.gcMs.toFixed(0)} ms (${((100 * s.gcMs) / Math.max(1, s.busyMs)).toFixed(1)}% of busy)`,
  );
  out.push('  top self time (% of busy)');
  for (const f of s.top.slice(0, top)) {
    out.push(
      `  ${pad(f.selfPct.toFixed(1), 5)}%  ${pad(f.selfMs.toFixed(0), 6)} ms  ${f.name}  ${f.location}`,
    );
  }
  out.push('  self time by package');
  for (const p of s.byPackage.slice(0, 12)) out.push(`  ${pad(p.selfPct.toFixed(1), 5)}%  ${p.pkg}`);
  out.push('  project functions by inclusive time');
  for (const f of s.projectInclusive.slice(0, 15)) {
    out.push(`  ${pad(f.totalPct.toFixed(1), 5)}%  ${f.name}  ${f.location}`);
  }
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string', default: '25' } },
  });
  const file = positionals[0];
  if (!file) {
    console.error(
      'usage: node --import tsx bench/src/cpuprofile.ts <file.cpuprofile> [--from µs] [--to µs] [--top n]',
    );
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const summary = summariseProfile(profile, {
    ...(values.from ? { fromUs: Number(values.from) } : {}),
    ...(values.to ? { toUs: Number(values.to) } : {}),
    top: Number(values.top),
  });
  console.log(formatSummary(summary, Number(values.top)));
}
