// Type declarations for qwasm's public API (pinned in DESIGN.md).

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

/** Anything a model (or an external-data file) can be read from. */
export type ModelSource =
  | string | URL | ArrayBuffer | Uint8Array | Blob | Response | ReadableStream<Uint8Array>;

export interface LoadProgress {
  phase: 'download' | 'weights' | 'prepare';
  loaded: number;
  total: number;
}

export interface SessionOptions {
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
  run(feeds: Record<string, Tensor>, options?: RunOptions | string[]): Promise<Record<string, Tensor>>;
  /** Starts timing each operator type over the following runs. */
  startProfiling(): void;
  /** Stops timing; returns total milliseconds and calls per operator type, most expensive first. */
  endProfiling(): OpProfileEntry[];
  /** Frees everything the session holds in wasm memory. Idempotent. */
  dispose(): void;
}

/**
 * Rejects with an Error naming what is wrong for an invalid model, an unsupported operator, or a
 * model input/output of a type outside TensorType (bfloat16, string, ...).
 */
export function createSession(model: ModelSource, options?: SessionOptions): Promise<InferenceSession>;

export interface Features {
  simd128: boolean;
  relaxedSimd: boolean;
  threads: boolean;
  variant: 'relaxed' | 'simd128' | null;
  /** How the relaxed dot product behaves on this engine (from the startup probe). */
  dot: 'usdot' | 'usdot-saturating' | 'sdot' | 'broken' | null;
}

export function features(): Promise<Features>;
