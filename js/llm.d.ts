// Type declarations for qwasm/llm.
import type { InferenceSession, ModelSource, SessionOptions, WorkerInferenceSession } from './index.js';

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

/** `S`: the session it runs on, a WorkerInferenceSession in worker mode (`{ worker: true }`). */
export interface CausalLM<S extends InferenceSession | WorkerInferenceSession = InferenceSession> {
  readonly session: S;
  readonly numLayers: number;
  /** null when the model was loaded from a single ONNX file. */
  readonly tokenizer: TextTokenizer | null;
  /** Text pieces as they complete (never a split character); needs a model folder. */
  generateText(prompt: string | ChatMessage[], options?: GenerateOptions): AsyncGenerator<string, void, unknown>;
  generate(promptIds: ArrayLike<number>, options?: GenerateOptions): AsyncGenerator<number, void, unknown>;
  lastStats: GenerationStats | null;
  dispose(): void;
}

/** lm.tokenizer: the folder's tokenizer.json read by @huggingface/tokenizers. */
export interface TextTokenizer {
  /** addSpecialTokens (default true) adds what the tokenizer's post-processor adds (e.g. BOS). */
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  /** Special tokens are dropped unless skipSpecial is false. */
  decode(ids: ArrayLike<number>, options?: { skipSpecial?: boolean }): string;
  isSpecial(id: number): boolean;
}

export interface ChatMessage { role: string; content: string }

export interface CausalLMOptions extends SessionOptions {
  /** Which onnx/model{suffix}.onnx of a folder to load (transformers.js names); default 'q4'. */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';
  /**
   * false (default): the LM head runs for the last position of each run only (generate needs
   * the next token's logits), so lm.session.run gives logits [batch, 1, vocab]; true: every
   * position, as the model declares.
   */
  allLogits?: boolean;
}

/** A Hugging Face model folder: a URL or local path, or a map of relative file names to contents. */
export type ModelFolder = string | URL | Record<string, ModelSource | object>;

/**
 * One ONNX file (any ModelSource), or a model folder (then tokenizer and generateText work). In
 * worker mode the model runs in the worker and the folder's tokenizer on the caller's side.
 */
export function loadCausalLM(model: ModelSource | ModelFolder, options: CausalLMOptions & { worker: true }): Promise<CausalLM<WorkerInferenceSession>>;
export function loadCausalLM(model: ModelSource | ModelFolder, options?: CausalLMOptions & { worker?: false }): Promise<CausalLM>;
export function loadCausalLM(model: ModelSource | ModelFolder, options?: CausalLMOptions): Promise<CausalLM<InferenceSession | WorkerInferenceSession>>;
