// The worker_thread of worker mode in Node: Node's platform, then the same server as worker.js.
import { parentPort } from 'node:worker_threads';
import { installNodePlatform } from './node-platform.js';
import { serve } from './worker-serve.js';

installNodePlatform();
serve({
  onMessage: (fn) => parentPort.on('message', fn),
  post: (msg, transfer = []) => parentPort.postMessage(msg, transfer),
});
