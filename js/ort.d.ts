// Types for qwasm/ort: the onnxruntime-web-shaped namespace. Tensor and the session value
// types are onnxruntime-common's own.
import type { InferenceSession as OrtSession, OnnxValue } from 'onnxruntime-common';

export { Tensor } from 'onnxruntime-common';

export interface QwasmOrtSessionOptions extends OrtSession.SessionOptions {
  /** qwasm: threads for this session (default env.wasm.numThreads, else qwasm's default). */
  threads?: number;
  /** qwasm: 'auto' (default) | 'relaxed' | 'simd128'. */
  simd?: 'auto' | 'relaxed' | 'simd128';
}

export declare class InferenceSession {
  /**
   * A path (Node) or URL string, or the model bytes. External data: next to a path / URL, or
   * `options.externalData`. `executionProviders` is accepted and ignored; `freeDimensionOverrides`
   * fix symbolic dims (in the metadata, and feeds must agree).
   */
  static create(model: string | URL | ArrayBuffer | Uint8Array, options?: QwasmOrtSessionOptions): Promise<InferenceSession>;
  static create(buffer: ArrayBuffer, byteOffset: number, byteLength?: number, options?: QwasmOrtSessionOptions): Promise<InferenceSession>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtSession.ValueMetadata[];
  readonly outputMetadata: readonly OrtSession.ValueMetadata[];
  /** Feeds: any { type, data, dims } CPU tensor. Outputs are fresh copies (kept across later runs). */
  run(feeds: OrtSession.FeedsType, options?: OrtSession.RunOptions): Promise<OrtSession.ReturnType>;
  run(feeds: OrtSession.FeedsType, fetches: readonly string[] | Record<string, OnnxValue | null>,
      options?: OrtSession.RunOptions): Promise<OrtSession.ReturnType>;
  startProfiling(): void;
  endProfiling(): { op: string; ms: number; calls: number }[];
  release(): Promise<void>;
}

export declare const env: {
  logLevel: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
  debug: boolean;
  versions: { common: string; qwasm: string };
  wasm: { numThreads?: number; simd?: 'auto' | 'relaxed' | 'simd128'; proxy: boolean; wasmPaths?: unknown };
  webgpu: Record<string, unknown>;
};
