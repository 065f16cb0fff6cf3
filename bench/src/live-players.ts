// Simulated phones for `npm run bench:live`: one process holding `count` players of a live game,
// each a WebSocket to 127.0.0.1 (the `ws` package, no compression, as a browser on a LAN would
// talk to the server). Started by live.bench.ts with an IPC channel; it gets a JoinConfig, joins
// its players with the PIN (`concurrency` at a time), and then, for every question: records when
// each player's `question` frame arrives (clock() of lib/live-ipc.ts, the parent's clock too),
// answers one random option at opensAt + a random delay within `answerWindowMs`, and records the
// `answered` acknowledgement and the `result` frame. It reports each question twice (delivery,
// then answers and results) and, on `finish`, who saw `ended`.
//
// Bounded: every wait has a timeout; it exits on `quit`, when the parent goes away, or after the
// hard limit below.
import { WebSocket } from 'ws';
import {
  clock,
  parseFrame,
  type AnswersReport,
  type DeliveryReport,
  type FinishReport,
  type JoinConfig,
  type JoinReport,
  type ParentMessage,
  type PlayersMessage,
  type QuestionFrame,
} from './lib/live-ipc.ts';

/** Nothing a bench run does takes this long: a stuck process ends itself. */
const HARD_LIMIT_MS = 30 * 60_000;

interface Player {
  i: number;
  ws: WebSocket | null;
  joined: boolean;
  /** The answer in flight: its question and when it was sent. */
  pending: { index: number; sentAt: number } | null;
  seen: Set<number>;
  ended: boolean;
  endScore: number;
}

interface Track {
  index: number;
  arrivals: (number | null)[];
  arrived: number;
  keyLeaks: number;
  closesAt: number;
  sent: number;
  acked: number;
  refused: Record<string, number>;
  ackMs: number[];
  firstSentAt: number | null;
  lastAckAt: number | null;
  results: (number | null)[];
  resultCount: number;
  correctKey: string | null;
  resultMismatches: number;
  /** Answers scheduled but not yet sent. */
  scheduled: number;
  deliveryReported: boolean;
  answersReported: boolean;
  deliveryTimer: NodeJS.Timeout | null;
  answersTimer: NodeJS.Timeout | null;
}

const send = (msg: PlayersMessage): void => {
  process.send?.(msg);
};

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

let config: JoinConfig | null = null;
const players: Player[] = [];
const tracks = new Map<number, Track>();
const otherErrors: Record<string, number> = {};
let closedEarly = 0;
let quitting = false;
let finishWaiter: (() => void) | null = null;

/** Players joined whose socket is still open: the number of question frames to expect. */
let connected = 0;

function track(frame: QuestionFrame): Track {
  let t = tracks.get(frame.index);
  if (!t) {
    const n = players.length;
    t = {
      index: frame.index,
      arrivals: new Array<number | null>(n).fill(null),
      arrived: 0,
      keyLeaks: 0,
      closesAt: Date.parse(frame.closesAt),
      sent: 0,
      acked: 0,
      refused: {},
      ackMs: [],
      firstSentAt: null,
      lastAckAt: null,
      results: new Array<number | null>(n).fill(null),
      resultCount: 0,
      correctKey: null,
      resultMismatches: 0,
      scheduled: 0,
      deliveryReported: false,
      answersReported: false,
      deliveryTimer: null,
      answersTimer: null,
    };
    tracks.set(frame.index, t);
    const cfg = config!;
    const tr = t;
    tr.deliveryTimer = setTimeout(() => reportDelivery(tr), cfg.deliveryTimeoutMs);
    tr.answersTimer = setTimeout(
      () => reportAnswers(tr),
      Math.max(0, tr.closesAt - Date.now()) + cfg.answerGraceMs,
    );
  }
  return t;
}

function reportDelivery(t: Track): void {
  if (t.deliveryReported) return;
  t.deliveryReported = true;
  if (t.deliveryTimer) clearTimeout(t.deliveryTimer);
  const msg: DeliveryReport = {
    type: 'delivery',
    worker: config!.worker,
    index: t.index,
    arrivals: t.arrivals,
    keyLeaks: t.keyLeaks,
  };
  send(msg);
}

function reportAnswers(t: Track): void {
  if (t.answersReported) return;
  // The delivery always goes first, so the parent can read the two in order.
  reportDelivery(t);
  t.answersReported = true;
  if (t.answersTimer) clearTimeout(t.answersTimer);
  let noReply = 0;
  for (const p of players) {
    if (p.pending?.index === t.index) {
      noReply++;
      p.pending = null;
    }
  }
  const msg: AnswersReport = {
    type: 'answers',
    worker: config!.worker,
    index: t.index,
    sent: t.sent,
    acked: t.acked,
    refused: t.refused,
    noReply,
    ackMs: t.ackMs,
    firstSentAt: t.firstSentAt,
    lastAckAt: t.lastAckAt,
    results: t.results,
    resultMismatches: t.resultMismatches,
  };
  send(msg);
}

/** Both reports go as soon as everything expected has arrived, not at the timeouts. */
function checkDone(t: Track): void {
  if (!t.deliveryReported && t.arrived >= connected) reportDelivery(t);
  const refusedCount = Object.values(t.refused).reduce((s, v) => s + v, 0);
  if (
    t.deliveryReported &&
    !t.answersReported &&
    t.scheduled === 0 &&
    t.acked + refusedCount >= t.sent &&
    t.resultCount >= t.arrived
  ) {
    reportAnswers(t);
  }
}

function onQuestion(p: Player, frame: QuestionFrame, at: number): void {
  if (p.seen.has(frame.index)) return; // a repeat (the `game` + phase frames of a rejoin)
  p.seen.add(frame.index);
  const t = track(frame);
  if (t.answersReported) return;
  t.arrivals[p.i] = at;
  t.arrived++;
  if (
    frame.correctOptionIds !== undefined ||
    frame.options.some((o) => Object.prototype.hasOwnProperty.call(o, 'correct'))
  )
    t.keyLeaks++;
  const option = frame.options[Math.floor(Math.random() * frame.options.length)];
  if (option) {
    const cfg = config!;
    // +1 ms: opensAt is an ISO string with millisecond precision; an answer on the very
    // millisecond could still be refused NOT_OPEN.
    const delay = Date.parse(frame.opensAt) + 1 + Math.random() * cfg.answerWindowMs - Date.now();
    t.scheduled++;
    setTimeout(
      () => {
        t.scheduled--;
        if (t.answersReported || !p.ws || p.ws.readyState !== WebSocket.OPEN) {
          checkDone(t);
          return;
        }
        p.pending = { index: frame.index, sentAt: clock() };
        if (t.firstSentAt === null) t.firstSentAt = p.pending.sentAt;
        t.sent++;
        p.ws.send(JSON.stringify({ type: 'answer', index: frame.index, optionIds: [option.id] }));
      },
      Math.max(0, delay),
    );
  }
  checkDone(t);
}

/** `at`: clock() when the frame was handed to us, before parsing it. */
function onMessage(p: Player, data: unknown, at: number): void {
  const frame = parseFrame(data);
  if (!frame) {
    bump(otherErrors, 'unparsable frame');
    return;
  }
  switch (frame.type) {
    case 'question':
      onQuestion(p, frame, at);
      return;
    case 'answered': {
      const t = tracks.get(frame.index);
      if (p.pending && p.pending.index === frame.index && t && !t.answersReported) {
        t.ackMs.push(at - p.pending.sentAt);
        t.acked++;
        t.lastAckAt = t.lastAckAt === null ? at : Math.max(t.lastAckAt, at);
        p.pending = null;
        checkDone(t);
      }
      return;
    }
    case 'error': {
      const t = p.pending ? tracks.get(p.pending.index) : undefined;
      if (p.pending && t && !t.answersReported) {
        bump(t.refused, frame.code);
        p.pending = null;
        checkDone(t);
      } else {
        bump(otherErrors, frame.code);
      }
      return;
    }
    case 'result': {
      const t = tracks.get(frame.index);
      if (t && !t.answersReported && t.results[p.i] === null) {
        t.results[p.i] = at;
        t.resultCount++;
        const key = JSON.stringify([...(frame.correctOptionIds ?? [])].sort());
        if (t.correctKey === null) t.correctKey = key;
        else if (t.correctKey !== key) t.resultMismatches++;
        checkDone(t);
      }
      return;
    }
    case 'ended':
      if (!p.ended) {
        p.ended = true;
        p.endScore = typeof frame.score === 'number' ? frame.score : 0;
        if (finishWaiter && players.every((q) => q.ended || !q.joined)) finishWaiter();
      }
      return;
    case 'kicked':
      bump(otherErrors, 'kicked');
      return;
    default:
      return; // game, lobby, skipped, pong: nothing to measure
  }
}

/** Opens one player's socket and joins; resolves with the time it took or the failure's code. */
function joinOne(p: Player, cfg: JoinConfig): Promise<{ ms: number } | { error: string }> {
  return new Promise((resolve) => {
    const t0 = clock();
    let settled = false;
    const ws = new WebSocket(`ws://127.0.0.1:${cfg.port}/api/live/ws`, {
      perMessageDeflate: false,
      // The server's frames are JSON it built itself: checking their UTF-8 only costs the client.
      skipUTF8Validation: true,
      handshakeTimeout: cfg.joinTimeoutMs,
    });
    p.ws = ws;
    const done = (r: { ms: number } | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      done({ error: 'timeout' });
      ws.terminate();
    }, cfg.joinTimeoutMs);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'join', pin: cfg.pin, nickname: `p${cfg.worker}-${p.i}` }));
    });
    ws.on('message', (data) => {
      const at = clock();
      if (!settled) {
        const frame = parseFrame(data);
        if (frame?.type === 'joined') {
          p.joined = true;
          connected++;
          done({ ms: clock() - t0 });
        } else if (frame?.type === 'error') {
          done({ error: frame.code });
          ws.close();
        }
        return;
      }
      onMessage(p, data, at);
    });
    ws.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
    ws.on('close', () => {
      if (!settled) done({ error: 'closed' });
      else if (p.joined) {
        connected--;
        if (!quitting) closedEarly++;
      }
    });
  });
}

async function joinAll(cfg: JoinConfig): Promise<void> {
  for (let i = 0; i < cfg.count; i++) {
    players.push({ i, ws: null, joined: false, pending: null, seen: new Set(), ended: false, endScore: 0 });
  }
  const report: JoinReport = {
    type: 'joined',
    worker: cfg.worker,
    joined: 0,
    failed: {},
    joinMs: [],
    startedAt: clock(),
    endedAt: 0,
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < players.length) {
      const p = players[next++]!;
      const r = await joinOne(p, cfg);
      if ('ms' in r) {
        report.joined++;
        report.joinMs.push(r.ms);
      } else bump(report.failed, r.error);
    }
  };
  await Promise.all(Array.from({ length: Math.min(cfg.concurrency, players.length) }, worker));
  report.endedAt = clock();
  send(report);
}

async function finish(timeoutMs: number): Promise<void> {
  if (!players.every((p) => p.ended || !p.joined)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      finishWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  const report: FinishReport = {
    type: 'finished',
    worker: config?.worker ?? -1,
    ended: players.filter((p) => p.ended).length,
    scoreSum: players.reduce((s, p) => s + (p.ended ? p.endScore : 0), 0),
    closedEarly,
    otherErrors,
  };
  send(report);
}

function quit(): void {
  quitting = true;
  for (const p of players) p.ws?.terminate();
  // Let the IPC channel flush, then go.
  setTimeout(() => process.exit(0), 50);
}

if (!process.send) {
  console.error('live-players.ts is started by live.bench.ts (it needs an IPC channel)');
  process.exit(2);
}
setTimeout(() => {
  console.error('live-players: hard time limit reached, exiting');
  process.exit(3);
}, HARD_LIMIT_MS).unref();
process.on('disconnect', quit);
process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'join' && config === null) {
    config = msg;
    void joinAll(msg);
  } else if (msg.type === 'finish') {
    void finish(msg.timeoutMs);
  } else if (msg.type === 'quit') {
    quit();
  }
});
send({ type: 'ready' });
