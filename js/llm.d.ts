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

export function loadCausalLM(model: ModelSource, options?: SessionOptions): Promise<CausalLM>;
