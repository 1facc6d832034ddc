// Type declarations for the public API of qwasm (described in the README).

export type TensorType =
  | 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16'
  | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool';

export interface TensorDataMap {
  float32: Float32Array; float16: Uint16Array; float64: Float64Array;
  int8: Int8Array; uint8: Uint8Array; int16: Int16Array; uint16: Uint16Array;
  int32: Int32Array; uint32: Uint32Array; int64: BigInt64Array; uint64: BigUint64Array;
  bool: Uint8Array;
}

export class Tensor<T extends TensorType = TensorType> {
  /** `data` may also be a plain array (converted; BigInt for 64-bit types). `dims` defaults to [data.length]. */
  constructor(type: T, data: TensorDataMap[T] | ArrayLike<number | bigint | boolean>, dims?: readonly number[]);
  readonly type: T;
  readonly data: TensorDataMap[T];
  readonly dims: readonly number[];
  readonly size: number;
}

/**
 * A tensor of any one dtype: a union of `Tensor<'float32'>`, `Tensor<'int64'>`, ... so that
 * checking `type` narrows `data` (`if (t.type === 'float32') t.data` is a Float32Array).
 */
export type AnyTensor = { [T in TensorType]: Tensor<T> }[TensorType];

/** The outputs of run(): one tensor per name, each typed by its dtype when `O` says it. */
export type RunOutputs<O extends Record<string, TensorType> = Record<string, TensorType>> = {
  [K in keyof O]: { [T in TensorType]: Tensor<T> }[O[K]];
};

/** Anything a model (or an external-data file) can be read from. */
export type ModelSource =
  | string | URL | ArrayBuffer | Uint8Array | Blob | Response | ReadableStream<Uint8Array>;

export interface LoadProgress {
  phase: 'download' | 'weights' | 'prepare';
  loaded: number;
  total: number;
  /** download / weights: true when the bytes come from the model cache (options.cache). */
  fromCache?: boolean;
}

/** Where the wasm build files are hosted: a URL prefix, or file name -> URL (others from the package). */
export type WasmPaths = string | URL | Record<string, string | URL>;

export interface CacheOptions {
  /** Node: the cache folder (default ~/.cache/qwasm). */
  cacheDir?: string;
  /** Browsers: the Cache API cache name (default 'qwasm'). */
  cacheName?: string;
}

export interface BuildOptions {
  threads?: number;
  simd?: 'auto' | 'relaxed' | 'simd128';
  /** Where dist/'s .mjs / .wasm / .worker.js files are loaded from (default: the package's own). */
  wasmPaths?: WasmPaths;
}

export interface SessionOptions extends CacheOptions {
  /**
   * Keep downloaded model and external-data files (URLs only) in the model cache and load
   * them from there next time, without a network request.
   */
  cache?: boolean;
  /** Where dist/'s .mjs / .wasm / .worker.js files are loaded from (default: the package's own). */
  wasmPaths?: WasmPaths;
  /**
   * Run the runtime in a dedicated Worker (browsers) / worker_thread (Node), shared by all
   * worker sessions and terminated when the last one is disposed. Same API; outputs come back
   * by transfer. In-memory sources are copied to the worker, streams transferred.
   */
  worker?: boolean;
  /** External-data files: `path` is the TensorProto external_data 'location'. */
  externalData?: { path: string; data: ModelSource }[];
  onProgress?: (p: LoadProgress) => void;
  /** Cancels loading; everything allocated so far is released. */
  signal?: AbortSignal;
  /**
   * Number of threads (default: as many as useful when cross-origin isolated, else 1:
   * the cores, at most 4). Above 1 the threaded build loads; its worker pool starts with
   * the module, sized by the first threaded session (max of its request and the default),
   * and later sessions get at most that many. In a browser it needs a cross-origin
   * isolated page (COOP/COEP headers); asking for more than 1 elsewhere is an Error.
   */
  threads?: number;
  /** 'auto' picks relaxed SIMD when the engine validates it and the probe finds it usable. */
  simd?: 'auto' | 'relaxed' | 'simd128';
}

export interface ValueMetadata {
  name: string;
  type: TensorType | undefined;
  /** Numbers for fixed dims, strings for symbolic ones, null for unknown; null when the rank is unknown. */
  dims: (number | string | null)[] | null;
}

export interface RunOptions {
  /** Output names to compute (default: all). */
  outputs?: string[];
  /** An aborted signal rejects the run (with its reason, or an AbortError) before it starts. */
  signal?: AbortSignal;
}

export interface OpProfileEntry {
  /** 'op_type', or 'domain::op_type' outside the default domain. */
  op: string;
  ms: number;
  calls: number;
}

export class InferenceSession {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputMetadata: ValueMetadata[];
  readonly outputMetadata: ValueMetadata[];
  /** The wasm build this session runs on. */
  readonly variant: 'relaxed' | 'simd128';
  /** Threads its runs use, the caller included (options.threads, capped by the worker pool). */
  readonly threads: number;
  /** `O` names the outputs' dtypes when the caller knows them: run<{ logits: 'float32' }>(feeds). */
  run<O extends Record<string, TensorType> = Record<string, TensorType>>(
    feeds: Record<string, AnyTensor | Tensor>, options?: RunOptions | string[]): Promise<RunOutputs<O>>;
  /** Starts timing each operator type over the following runs. */
  startProfiling(options?: { byShape?: boolean }): void;
  /** Stops timing; returns total milliseconds and calls per operator type, most expensive first. */
  endProfiling(): OpProfileEntry[];
  /** Frees everything the session holds in wasm memory. Idempotent. */
  dispose(): void;
}

/**
 * A session of worker mode (`{ worker: true }`): the same API as InferenceSession, but profiling
 * crosses to the worker, so startProfiling / endProfiling return promises.
 */
export interface WorkerInferenceSession extends Omit<InferenceSession, 'startProfiling' | 'endProfiling'> {
  /** Starts timing each operator type over the following runs (once the promise resolves). */
  startProfiling(): Promise<void>;
  /** Stops timing; resolves to total milliseconds and calls per operator type, most expensive first. */
  endProfiling(): Promise<OpProfileEntry[]>;
}

/**
 * Rejects with an Error naming what is wrong for an invalid model, an unsupported operator, or a
 * model input/output of a type outside TensorType (bfloat16, string, ...). With `worker: true`
 * the session is a WorkerInferenceSession; when `worker` is a boolean only known at run time,
 * either.
 */
export function createSession(model: ModelSource, options: SessionOptions & { worker: true }): Promise<WorkerInferenceSession>;
export function createSession(model: ModelSource, options?: SessionOptions & { worker?: false }): Promise<InferenceSession>;
export function createSession(model: ModelSource, options?: SessionOptions): Promise<InferenceSession | WorkerInferenceSession>;

export interface Features {
  simd128: boolean;
  relaxedSimd: boolean;
  threads: boolean;
  variant: 'relaxed' | 'simd128' | null;
  /** How the relaxed dot product behaves on this engine (from the startup probe). */
  dot: 'usdot' | 'usdot-saturating' | 'sdot' | 'broken' | null;
}

/** The engine's features and the build sessions use (loaded now if none is: the one createSession(model, options) would load). */
export function features(options?: BuildOptions): Promise<Features>;

/** Empties the model cache. */
export function clearCache(options?: CacheOptions): Promise<void>;
