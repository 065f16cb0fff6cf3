// Parsing a 10 MB file takes seconds of CPU: it runs in a worker thread so the server keeps
// answering (answer saves above all) meanwhile.
import { Worker } from 'node:worker_threads';
import type { InterchangeFormat, ParseOptions, ParseResult } from './types.ts';

const WORKER = new URL('./parse-worker.mjs', import.meta.url);

export function parseInWorker(
  format: InterchangeFormat,
  bytes: Uint8Array,
  options: ParseOptions,
): Promise<ParseResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      workerData: { format, bytes, options },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    worker.once('message', (result: ParseResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`import parser stopped with code ${code}`));
    });
  });
}
