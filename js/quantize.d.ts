// Types for qwasm/quantize.
import type { ModelSource } from './index.js';

export interface QuantizeOptions {
  /** 'weight-only' (default): MatMulNBits; 'dynamic': DynamicQuantizeLinear -> MatMulInteger.
   *  'static' needs calibration, which this version does not take yet (an Error). */
  mode?: 'weight-only' | 'dynamic' | 'static';
  weights?: {
    /** 4 (default for weight-only) or 8; dynamic is always 8. */
    bits?: 4 | 8;
    /** Weight-only block size along K: a power of two from 16 to 256 (default 32). */
    blockSize?: number;
    /** No zero points (default false). */
    symmetric?: boolean;
    /** Only 'rtn' (round to nearest) in this version; 'gptq' / 'awq' are an Error. */
    algorithm?: 'rtn' | 'gptq' | 'awq';
    /** Only 'int' in this version. */
    type?: 'int';
    /** MatMulNBits accuracy_level (0..4, default 4: int8 activations allowed). */
    accuracyLevel?: number;
  };
  activations?: { type?: 'uint8' };
  /** Op types to quantize (default ['MatMul'], the only one in this version). */
  ops?: string[];
  /** Node names to leave in float. */
  exclude?: string[];
  /** External data files of the source: path = the TensorProto 'location'. */
  externalData?: { path: string; data: ModelSource }[];
  /** Initializers of at least this many bytes go to `externalDataName` (default: none). */
  externalDataThreshold?: number;
  externalDataName?: string;
  onProgress?: (p: { phase: 'read' | 'quantize'; loaded: number; total: number }) => void;
  signal?: AbortSignal;
}

export interface QuantizeReportEntry {
  node: string;
  opType: string;
  /** 'MatMulNBits' | 'MatMulInteger' | 'float' */
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
