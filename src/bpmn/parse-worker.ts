// Worker-thread entry of BpmnParserPool: parses one file per message and answers with plain data.
// Runs as .ts under tsx in dev/test and as .js from dist/ once built.
import { parentPort } from 'node:worker_threads';
import { parseBpmn } from './parse-bpmn.js';
import type { BpmnLimits, BpmnParseResult } from './types.js';

export interface ParseRequest {
  id: number;
  xml: string | Uint8Array;
  limits?: Partial<BpmnLimits>;
}

export type WorkerMessage = { type: 'ready' } | { type: 'result'; id: number; result: BpmnParseResult };

const port = parentPort;
if (port) {
  port.on('message', (req: ParseRequest) => {
    void parseBpmn(req.xml, req.limits).then((result) => port.postMessage({ type: 'result', id: req.id, result } satisfies WorkerMessage));
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}
