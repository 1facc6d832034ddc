// The dedicated Worker of worker mode in browsers (a module worker, created from a literal
// new URL('./worker.js', import.meta.url) in worker-client.js).
import { serve } from './worker-serve.js';

serve({
  onMessage: (fn) => { self.onmessage = (e) => fn(e.data); },
  post: (msg, transfer = []) => self.postMessage(msg, transfer),
});
