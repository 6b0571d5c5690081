/** tempolab's library API. */
export * from './engine/index.js';
