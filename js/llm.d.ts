// Type declarations for qwasm/llm.
import type { InferenceSession, ModelSource, SessionOptions } from './index.js';

export interface GenerateOptions {
  maxNewTokens?: number;
  /** 0 (default) = greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Generation stops after yielding one of these. */
  stopIds?: number[];
  /** Aborts generation: the generator throws the signal's reason (or an AbortError) before its next token. */
  signal?: AbortSignal;
}

export interface GenerationStats {
  promptTokens: number;
  generatedTokens: number;
  prefillMs: number;
  decodeMs: number;
  /** Decode tokens per second. */
  tokensPerSecond: number;
}

export interface CausalLM {
  readonly session: InferenceSession;
  readonly numLayers: number;
  generate(promptIds: ArrayLike<number>, options?: GenerateOptions): AsyncGenerator<number, void, unknown>;
  lastStats: GenerationStats | null;
  dispose(): void;
}

/** Byte-level BPE tokenizer for "qwasm-bpe-v1" tokenizer.json files (models/tinylm/README.md). */
export class Tokenizer {
  constructor(spec: { pattern: string; merges: [number, number][]; specialTokens?: Record<string, number> });
  /** From a parsed tokenizer.json; throws when its format is not qwasm-bpe-v1 or its vocab disagrees with its merges. */
  static fromJSON(json: unknown): Tokenizer;
  /** Token id -> its bytes. */
  readonly vocab: Uint8Array[];
  readonly vocabSize: number;
  /** Special-token strings (e.g. '<|endoftext|>') become their ids. */
  encode(text: string): number[];
  /** Special-token strings are encoded as ordinary text. */
  encodeOrdinary(text: string): number[];
  /** Invalid UTF-8 becomes U+FFFD; special tokens are dropped unless skipSpecial is false; unknown ids throw RangeError. */
  decode(ids: ArrayLike<number>, options?: { skipSpecial?: boolean }): string;
  /** push(id) returns the text completed by that id; flush() the rest. */
  streamDecoder(options?: { skipSpecial?: boolean }): { push(id: number): string; flush(): string };
}

export function loadCausalLM(model: ModelSource, options?: SessionOptions): Promise<CausalLM>;
