/** tempolab's library API. */
export * from './engine/index.js';
export * from './data/index.js';
