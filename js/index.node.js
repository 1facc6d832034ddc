// Node's entry of 'qwasm' (the "node" export condition): Node's platform (files, fs-read
// wasm, CommonJS pool workers, a cache folder), then the same API as the browser entry.
import { installNodePlatform } from './node-platform.js';

installNodePlatform();

export * from './index.js';
