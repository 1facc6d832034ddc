// Node's entry of 'qwasm/llm' (the "node" export condition): see index.node.js.
import { installNodePlatform } from './node-platform.js';

installNodePlatform();

export * from './llm.js';
