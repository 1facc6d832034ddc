// Types for qwasm/quantize.
import type { ModelSource, Tensor, WasmPaths } from './index.js';

export interface QuantizeOptions {
  /** 'weight-only' (default): MatMulNBits (4-bit) or per-channel int8 DequantizeLinear -> MatMul (8-bit); 'dynamic': DynamicQuantizeLinear -> MatMulInteger / ConvInteger;
   *  'static': QDQ (QuantizeLinear / DequantizeLinear) for MatMul, Gemm and Conv with activation
   *  scales from `calibration`. */
  mode?: 'weight-only' | 'dynamic' | 'static';
  weights?: {
    /** 4 (default for weight-only) or 8; dynamic and static are always 8. */
    bits?: 4 | 8;
    /** Weight-only 4-bit block size along K: a power of two from 16 to 256 (default 32); 8-bit is per output channel. */
    blockSize?: number;
    /** No zero points (default false). */
    symmetric?: boolean;
    /** 'rtn' (round to nearest, default), 'gptq' (weight-only; needs calibration.data: error compensation
     *  with the Hessian of each MatMul's inputs) or 'awq' (weight-only; needs calibration.data: per-input-channel
     *  scales mean|x|^alpha, alpha searched for the least calibration output error, folded into the op before). */
    algorithm?: 'rtn' | 'gptq' | 'awq';
    /** awq: also search each block's range shrink (AWQ's weight clipping, kept only where it lowers
     *  the layer's calibration output error; default true). */
    awqClip?: boolean;
    /** 'int' (default) or 'float8e4m3fn' (weight-only: per-output-channel float8 weights behind
     *  DequantizeLinear -> MatMul; needs ai.onnx opset 19; bits 8, algorithm 'rtn'). */
    type?: 'int' | 'float8e4m3fn';
    /** MatMulNBits accuracy_level (0..4, default 4: int8 activations allowed). */
    accuracyLevel?: number;
  };
  /** Static: activation integers (default 'uint8'); reduceRange: 7-bit weights. Dynamic: uint8 only. */
  activations?: { type?: 'uint8' | 'int8'; reduceRange?: boolean };
  /** Static, gptq, awq and smoothQuant: feeds of the model's inputs; static: how to pick ranges from them. */
  calibration?: {
    data: Iterable<Record<string, Tensor>> | AsyncIterable<Record<string, Tensor>>;
    /** Default 'minmax'. */
    method?: 'minmax' | 'percentile' | 'entropy';
    /** For 'percentile' (default 99.999). */
    percentile?: number;
  };
  /** Dynamic and static: SmoothQuant (needs calibration.data): per-input-channel scales
   *  max|x|^alpha / max|w|^(1-alpha) moved from the MatMul inputs into the weights (default alpha 0.5). */
  smoothQuant?: false | true | { alpha?: number };
  /** Static: the sensitivity pass ('auto', default), or at most this many nodes left float (0: no pass). */
  keepFloat?: 'auto' | number;
  /** Op types to quantize (default: every type the mode handles: weight-only MatMul; dynamic and static MatMul, Gemm, Conv). */
  ops?: string[];
  /** Node names to leave in float. */
  exclude?: string[];
  /** External data files of the source: path = the TensorProto 'location'. */
  externalData?: { path: string; data: ModelSource }[];
  /** Initializers of at least this many bytes, kept or new, go to the output's own file `externalDataName`
   *  (default: none, unless the model would pass 2 GB). The output never refers to the source's files. */
  externalDataThreshold?: number;
  externalDataName?: string;
  onProgress?: (p: { phase: 'read' | 'quantize'; loaded: number; total: number }) => void;
  signal?: AbortSignal;
  /** Where dist/'s qwasm-quantize.mjs / .wasm are loaded from (default: the package's own). */
  wasmPaths?: WasmPaths;
  /**
   * Quantize in the dedicated Worker (browsers) / worker_thread (Node) of worker-mode sessions,
   * so the page stays responsive (default false). Same result; progress and `signal` cross over;
   * calibration feeds are read first and copied to the worker; the model comes back by transfer.
   */
  worker?: boolean;
}

export interface QuantizeReportEntry {
  node: string;
  opType: string;
  /** 'MatMulNBits' | 'DequantizeLinear' (weight-only 8-bit int or float8) | 'MatMulInteger' | 'ConvInteger' | 'QDQ' | 'float' */
  action: string;
  /** Bits and block size, or why the node stayed float. */
  detail: string;
}

export interface QuantizeResult {
  model: Uint8Array;
  externalData: { path: string; data: Uint8Array }[] | undefined;
  report: QuantizeReportEntry[];
  /** Bytes of the source model plus its external data. */
  sourceBytes: number;
}

export function quantize(source: ModelSource, options?: QuantizeOptions): Promise<QuantizeResult>;
