// Node's entry of 'qwasm/quantize' (the "node" export condition): see index.node.js.
import { installNodePlatform } from './node-platform.js';

installNodePlatform();

export * from './quantize.js';
