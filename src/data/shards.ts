import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TempolabError } from '../engine/errors.js';

/**
 * A frame shard: a 32-byte little-endian header — magic "TLVF", version, clip count, T, H, W, C,
 * reserved — followed by the clips' uint8 pixels back to back, each T*H*W*C bytes in [T,H,W,C]
 * order. One read brings a whole shard into memory; a clip is then a view into it.
 */
export const SHARD_MAGIC = 0x46564c54; // "TLVF" read as a little-endian uint32
export const SHARD_VERSION = 1;
export const SHARD_HEADER_BYTES = 32;

export interface ClipShape {
  frames: number;
  height: number;
  width: number;
  channels: number;
}

export const clipBytes = (s: ClipShape) => s.frames * s.height * s.width * s.channels;

export function shardHeader(count: number, shape: ClipShape): Uint8Array {
  const header = new Uint8Array(SHARD_HEADER_BYTES);
  const view = new DataView(header.buffer);
  [SHARD_MAGIC, SHARD_VERSION, count, shape.frames, shape.height, shape.width, shape.channels, 0].forEach((v, i) =>
    view.setUint32(4 * i, v, true),
  );
  return header;
}

export interface Shard {
  count: number;
  shape: ClipShape;
  /** All clips' pixels, count * clipBytes(shape) bytes. */
  pixels: Uint8Array;
}

/** Reads a shard in one read and checks its header against its size and the expected clip shape. */
export function readShard(file: string, expected: ClipShape): Shard {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new TempolabError(`frame shard '${file}' is missing; regenerate or re-import the dataset`);
  }
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (size < SHARD_HEADER_BYTES || view.getUint32(0, true) !== SHARD_MAGIC) {
      throw new TempolabError(`'${file}' is not a tempolab frame shard (bad header); regenerate or re-import the dataset`);
    }
    const version = view.getUint32(4, true);
    if (version !== SHARD_VERSION) {
      throw new TempolabError(`frame shard '${file}' has version ${version}, this tempolab reads ${SHARD_VERSION}; regenerate the dataset`);
    }
    const [count, frames, height, width, channels] = [8, 12, 16, 20, 24].map((o) => view.getUint32(o, true)) as [number, number, number, number, number];
    const shape = { frames, height, width, channels };
    if (frames !== expected.frames || height !== expected.height || width !== expected.width || channels !== expected.channels) {
      throw new TempolabError(
        `frame shard '${file}' holds ${frames}x${height}x${width}x${channels} clips but the manifest says ` +
          `${expected.frames}x${expected.height}x${expected.width}x${expected.channels}; regenerate the dataset`,
      );
    }
    const want = SHARD_HEADER_BYTES + count * clipBytes(shape);
    if (size !== want) {
      throw new TempolabError(`frame shard '${file}' is truncated or padded (${size} bytes, expected ${want}); regenerate the dataset`);
    }
    return { count, shape, pixels: bytes.subarray(SHARD_HEADER_BYTES) };
  } finally {
    closeSync(fd);
  }
}
