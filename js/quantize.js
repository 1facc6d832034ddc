// qwasm/quantize: turns a float ONNX model into the quantized forms qwasm runs on its integer
// kernels (and onnxruntime runs too), in the page or in Node, with the same C++ quantizer as
// the native `qwasm-quantize` tool. Its wasm module (dist/qwasm-quantize.*) loads on first use.
//
//   const { model, externalData, report } = await quantize(source, { mode: 'weight-only',
//     weights: { bits: 4, blockSize: 32 } });
import { dtypeInfo } from './dtypes.js';
import { locate } from './files.js';
import { instantiateBytes, platform } from './platform.js';
import { openSource, resolveRelative } from './sources.js';

// The quantizer's own module, loaded like the runtime's builds (js/wasm-module.js): from the
// package's dist/ or options.wasmPaths, the wasm fetched first so a missing file is an Error
// naming it.
let modulePromise;
async function quantizerModule(wasmPaths) {
  if (!modulePromise) {
    modulePromise = (async () => {
      const p = platform();
      const glueUrl = locate('qwasm-quantize.mjs', wasmPaths, p.distFiles, p.toUrl);
      const wasmUrl = locate('qwasm-quantize.wasm', wasmPaths, p.distFiles, p.toUrl);
      let factory;
      try {
        ({ default: factory } = await import(/* @vite-ignore */ glueUrl.href));
      } catch (e) {
        throw new Error(`qwasm: cannot load the quantizer glue ${glueUrl.href}: ${e.message}`);
      }
      const source = await p.fetchWasm(wasmUrl);
      let failed;
      const failure = new Promise((_, reject) => { failed = reject; });
      const mod = factory({
        locateFile: () => wasmUrl.href,
        instantiateWasm(imports, receive) {
          instantiateBytes(source, imports, wasmUrl.href).then(({ instance, module }) => receive(instance, module), failed);
          return {};
        },
      });
      return Promise.race([mod, failure]);
    })();
    modulePromise.catch(() => { modulePromise = undefined; });
  }
  return modulePromise;
}

function abortError(signal) {
  if (signal.reason instanceof Error) return signal.reason;
  const e = new Error('quantize was aborted');
  e.name = 'AbortError';
  return e;
}

// Reads a whole source (any createSession model kind) into the quantizer's buffer `name`.
async function readInto(q, name, source, what, signal) {
  const src = await openSource(source, what, signal);
  const chunks = [];
  let total = 0;
  for await (const c of src.chunks) {
    if (signal?.aborted) throw abortError(signal);
    chunks.push(c.slice());  // file chunks share one buffer
    total += c.length;
  }
  if (src.total !== undefined && total !== src.total) throw new Error(`${what}: truncated, received ${total} of ${src.total} bytes`);
  if (!q.buffer(name, total)) throw new Error(`${what}: out of wasm memory (${total} bytes)`);
  const view = q.bufferView(name);
  let off = 0;
  for (const c of chunks) { view.set(c, off); off += c.length; }
  return src;
}

const MODES = ['weight-only', 'dynamic', 'static'];

// Copies each calibration feed ({ name: Tensor }) into the quantizer, one tensor at a time
// (an async iterable is read as it yields, so feeds need not all exist at once in JS).
async function stageCalibration(q, data, signal) {
  let k = 0;
  for await (const feed of data) {
    if (signal?.aborted) throw abortError(signal);
    if (!feed || typeof feed !== 'object') throw new TypeError(`quantize: calibration feed ${k} must be an object { inputName: Tensor }`);
    for (const [name, t] of Object.entries(feed)) {
      if (!t || typeof t.type !== 'string' || !t.data || !Array.isArray(t.dims)) throw new TypeError(`quantize: calibration feed ${k}, input '${name}': expected a Tensor`);
      const info = dtypeInfo(t.type);
      if (!(t.data instanceof info.array)) throw new TypeError(`quantize: calibration feed ${k}, input '${name}': data of a '${t.type}' tensor must be a ${info.array.name}`);
      const view = q.stageCalibration(k, name, info.code, t.dims);
      if (view.error) throw new Error(view.error);
      if (view.byteLength !== t.data.byteLength) {
        throw new Error(`quantize: calibration feed ${k}, input '${name}': data has ${t.data.length} elements but dims [${t.dims}] need ${view.byteLength / info.array.BYTES_PER_ELEMENT}`);
      }
      view.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    k++;
  }
  q.calibrationFeeds(k);  // an empty feed keeps its place (and is then reported as missing inputs)
}

function resolveOptions(o) {
  if (o === null || typeof o !== 'object') throw new TypeError('quantize: options must be an object');
  const mode = o.mode ?? 'weight-only';
  if (!MODES.includes(mode)) throw new TypeError(`quantize: options.mode must be one of ${MODES.join(', ')}, got '${mode}'`);
  const w = o.weights ?? {};
  if (w.type !== undefined && w.type !== 'int' && w.type !== 'float8e4m3fn') throw new TypeError(`quantize: weights.type must be 'int' or 'float8e4m3fn', got '${w.type}'`);
  const float8 = w.type === 'float8e4m3fn';
  if (float8 && mode !== 'weight-only') throw new TypeError(`quantize: weights.type 'float8e4m3fn' is for mode 'weight-only' (mode '${mode}' writes integer weights)`);
  if (float8 && w.bits !== undefined && w.bits !== 8) throw new TypeError(`quantize: weights.type 'float8e4m3fn' stores 8-bit floats; weights.bits ${w.bits} needs weights.type 'int'`);
  const sq = o.smoothQuant ?? false;
  if (sq !== false && sq !== true && (sq === null || typeof sq !== 'object')) throw new TypeError(`quantize: smoothQuant must be false, true or { alpha }, got ${sq}`);
  const smoothAlpha = sq === false ? -1 : sq === true ? 0.5 : (sq.alpha ?? 0.5);
  if (sq !== false && !(typeof smoothAlpha === 'number' && smoothAlpha >= 0 && smoothAlpha <= 1)) throw new TypeError(`quantize: smoothQuant.alpha must be a number in [0, 1], got ${smoothAlpha}`);
  if (sq !== false && mode === 'weight-only') throw new TypeError("quantize: smoothQuant is for the int8 modes 'dynamic' and 'static' (for 4-bit weights use weights.algorithm 'awq')");
  const a = o.activations ?? {};
  if (a.type !== undefined && a.type !== 'uint8' && a.type !== 'int8') throw new TypeError(`quantize: activations.type must be 'uint8' or 'int8', got '${a.type}'`);
  if (mode === 'dynamic' && a.type === 'int8') throw new TypeError("quantize: mode 'dynamic' quantizes activations to uint8 (DynamicQuantizeLinear); activations.type 'int8' needs mode 'static'");
  const c = o.calibration ?? {};
  const algorithm = w.algorithm ?? 'rtn';
  if (w.awqClip !== undefined && typeof w.awqClip !== 'boolean') throw new TypeError(`quantize: weights.awqClip must be a boolean, got ${w.awqClip}`);
  if (algorithm !== 'rtn' && mode !== 'weight-only') throw new TypeError(`quantize: weights.algorithm '${algorithm}' is for mode 'weight-only' (MatMulNBits); mode '${mode}' rounds to nearest`);
  const calibrated = mode === 'static' || (mode === 'weight-only' && algorithm !== 'rtn') || sq !== false;
  if (c.data !== undefined && !calibrated) throw new TypeError(`quantize: calibration data is used by mode 'static' and weight-only algorithms 'gptq' / 'awq', and by smoothQuant, only (mode '${mode}' with algorithm '${algorithm}' needs none)`);
  const FEEDS = '(options.calibration.data: an array or async iterable of feeds { inputName: Tensor })';
  if (mode === 'static' && c.data == null) throw new TypeError(`quantize: mode 'static' needs calibration data ${FEEDS}`);
  if (mode === 'weight-only' && algorithm !== 'rtn' && c.data == null) throw new TypeError(`quantize: weights.algorithm '${algorithm}' needs calibration data ${FEEDS}, to measure each MatMul's inputs`);
  if (sq !== false && c.data == null) throw new TypeError(`quantize: smoothQuant needs calibration data ${FEEDS}, to measure each MatMul's input ranges`);
  if (c.data != null && !(Symbol.iterator in Object(c.data)) && !(Symbol.asyncIterator in Object(c.data))) {
    throw new TypeError('quantize: calibration.data must be an array or (async) iterable of feeds { inputName: Tensor }');
  }
  const METHODS = ['minmax', 'percentile', 'entropy'];
  if (c.method !== undefined && !METHODS.includes(c.method)) throw new TypeError(`quantize: calibration.method must be one of ${METHODS.join(', ')}, got '${c.method}'`);
  const keepFloat = o.keepFloat ?? 'auto';
  if (keepFloat !== 'auto' && !(Number.isInteger(keepFloat) && keepFloat >= 0)) throw new TypeError(`quantize: keepFloat must be 'auto' or a count >= 0, got ${keepFloat}`);
  return {
    mode,
    bits: w.bits ?? (mode === 'weight-only' && !float8 ? 4 : 8),
    weightType: w.type ?? 'int',
    blockSize: w.blockSize ?? 32,
    symmetric: !!w.symmetric,
    accuracyLevel: w.accuracyLevel ?? 4,
    algorithm,
    awqClip: w.awqClip ?? true,
    smoothQuantAlpha: smoothAlpha,
    ops: o.ops ?? [],
    exclude: o.exclude ?? [],
    externalDataThreshold: o.externalDataThreshold ?? 0,
    externalDataName: o.externalDataName ?? 'model.onnx_data',
    activations: a.type ?? 'uint8',
    reduceRange: !!a.reduceRange,
    calibrationMethod: c.method ?? 'minmax',
    percentile: c.percentile ?? 99.999,
    keepFloat: keepFloat === 'auto' ? -1 : keepFloat,
    calibrationData: c.data,
  };
}

// source: any model kind createSession takes; options.externalData: [{ path, data }] for its
// external files (else they are read next to a URL / path source). Returns { model: Uint8Array,
// externalData: [{ path, data }] | undefined, report: [{ node, opType, action, detail }] }.
// The source is never modified.
export async function quantize(source, options = {}) {
  const opts = resolveOptions(options);  // option errors are thrown here, in worker mode too
  const { signal, onProgress } = options;
  if (signal?.aborted) throw abortError(signal);
  if (options.worker) {
    const { quantizeRemote } = await import('./worker-client.js');
    return quantizeRemote(source, options);
  }
  const mod = await quantizerModule(options.wasmPaths);
  const q = new mod.Quantizer();
  try {
    onProgress?.({ phase: 'read', loaded: 0, total: 1 });
    const src = await readInto(q, '', source, 'model', signal);
    const files = q.externalFiles();
    if (files.error) throw new Error(files.error);
    for (const location of files) {
      let data = options.externalData?.find((e) => String(e.path).replace(/^\.\//, '') === location)?.data;
      if (data === undefined) {
        const rel = options.externalData ? null : resolveRelative(src.base, location);
        if (!rel) throw new Error(`external data file '${location}' is referenced by the model but not given in options.externalData`);
        data = rel.path ?? rel.url;
      }
      await readInto(q, location, data, `external data file '${location}'`, signal);
    }
    onProgress?.({ phase: 'read', loaded: 1, total: 1 });
    if (opts.calibrationData != null) await stageCalibration(q, opts.calibrationData, signal);
    const r = q.run(opts, onProgress ? (done, total) => onProgress({ phase: 'quantize', loaded: done, total }) : undefined);
    if (r.error) throw new Error(r.error);
    if (signal?.aborted) throw abortError(signal);  // aborted during the run: no result
    const model = r.model.slice();
    const externalData = r.external.length ? r.external.map((e) => ({ path: e.path, data: e.data.slice() })) : undefined;
    return { model, externalData, report: r.report, sourceBytes: r.sourceBytes };
  } finally {
    q.delete();
  }
}
