// Compiled by scripts/check-readme-types.mjs (tsc --strict) with the README examples: the
// declarations say what worker mode really returns. Each @ts-expect-error line must be an
// error, or tsc fails ("unused @ts-expect-error").
import { createSession, Tensor, type InferenceSession, type OpProfileEntry, type WorkerInferenceSession } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';

const model = new URL('./model.onnx', import.meta.url);

const local = await createSession(model);
local.startProfiling();
const ops: OpProfileEntry[] = local.endProfiling();

const remote = await createSession(model, { worker: true });
await remote.startProfiling();
const remoteOps: OpProfileEntry[] = await remote.endProfiling();
// @ts-expect-error endProfiling() of a worker session is a promise, not the entries
const notYet: OpProfileEntry[] = remote.endProfiling();
const { y } = await remote.run<{ y: 'float32' }>({ x: new Tensor('float32', new Float32Array(4), [4]) });
const first: number = y.data[0];
remote.dispose();

// worker known only at run time: either kind, so the result must be awaited to be safe.
declare const inWorker: boolean;
const either: InferenceSession | WorkerInferenceSession = await createSession(model, { worker: inWorker });
const maybe: OpProfileEntry[] = await either.endProfiling();

const lm = await loadCausalLM(new URL('./tinylm/', import.meta.url), { worker: true });
const lmOps: OpProfileEntry[] = await lm.session.endProfiling();
// @ts-expect-error the LM's worker session returns promises too
const lmNotYet: OpProfileEntry[] = lm.session.endProfiling();
for await (const piece of lm.generateText('It is a truth')) console.log(piece);
lm.dispose();

console.log(ops, remoteOps, notYet, first, maybe, lmOps, lmNotYet);
