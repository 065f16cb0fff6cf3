// Worker thread entry: parses one uploaded file and posts the result back.
import { parentPort, workerData } from 'node:worker_threads';
import { parseQuestions } from './index.ts';
import type { InterchangeFormat, ParseOptions } from './types.ts';

const { format, bytes, options } = workerData as {
  format: InterchangeFormat;
  bytes: Uint8Array;
  options: ParseOptions;
};
void parseQuestions(format, bytes, options).then((result) => parentPort!.postMessage(result));
