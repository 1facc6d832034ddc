// Node's entry of 'qwasm/ort' (the "node" export condition): see index.node.js.
import { installNodePlatform } from './node-platform.js';

installNodePlatform();

export * from './ort.js';
