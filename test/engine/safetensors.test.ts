import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as E from '../../src/engine/index.js';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-st-'));
}

/** A safetensors file built byte by byte from the format's spec, independent of our writer. */
function handBuilt(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  out[0] = json.length & 0xff;
  out[1] = (json.length >> 8) & 0xff;
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const le16 = (v: number) => [v & 0xff, v >> 8];

test('reads a hand-built file with f16, bf16, f32 and i64 tensors of known values', () => {
  const f16 = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x3555]; // 1, -2, 0.5, 65504, 2^-24, 0.333251953125
  const bf16 = [0x3f80, 0xc020, 0x4049]; // 1, -2.5, 3.140625
  const f32 = [0x00, 0x00, 0xc0, 0x3f]; // 1.5
  const i64 = [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0, 0, 0, 0, 0]; // -2, 7
  const bytes = handBuilt(
    {
      half: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 12] },
      brain: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] },
      single: { dtype: 'F32', shape: [1], data_offsets: [18, 22] },
      ints: { dtype: 'I64', shape: [2], data_offsets: [22, 38] },
      __metadata__: { format: 'pt' },
    },
    [...f16.flatMap(le16), ...bf16.flatMap(le16), ...f32, ...i64],
  );
  const { tensors, metadata } = E.parseSafetensors(bytes);
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual(tensors.get('half')!.shape, [2, 3]);
  assert.deepEqual(Array.from(tensors.get('half')!.data as Float32Array), [1, -2, 0.5, 65504, 2 ** -24, 0.333251953125]);
  assert.deepEqual(Array.from(tensors.get('brain')!.data as Float32Array), [1, -2.5, 3.140625]);
  assert.deepEqual(Array.from(tensors.get('single')!.data as Float32Array), [1.5]);
  assert.deepEqual(Array.from(tensors.get('ints')!.data as BigInt64Array), [-2n, 7n]);
});

test('round trip: written parameters read back bit-identical, atomically', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'model.safetensors');
  const store: E.ParameterStore = new Map([
    ['b.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.25, Math.PI, -0, 1e-30]) }],
    ['a.bias', { shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) }],
  ]);
  await E.saveParameters(file, store, { note: 'x' });
  assert.deepEqual(await fs.readdir(dir), ['model.safetensors'], 'no temp file may be left behind');
  const back = await E.loadParameters(file, [{ name: 'b.weight', shape: [2, 3] }]);
  for (const [name, t] of store) {
    assert.deepEqual(back.get(name)!.shape, t.shape);
    assert.deepEqual(back.get(name)!.data, t.data);
  }
  const bytes = await fs.readFile(file);
  assert.equal((8 + Number(bytes.readBigUInt64LE(0))) % 8, 0, 'data starts 8-byte aligned');
  await fs.rm(dir, { recursive: true });
});

test('errors name the file, the tensor and both shapes', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'm.safetensors');
  await E.saveParameters(file, new Map([['w', { shape: [96, 32], data: new Float32Array(96 * 32) }]]));
  await assert.rejects(E.loadParameters(file, [{ name: 'w', shape: [48, 32] }]), /m\.safetensors has w \[96,32\] but the model expects \[48,32\]/);
  await assert.rejects(E.loadParameters(file, [{ name: 'missing', shape: [2] }]), /lacks tensor missing \(expected \[2\]\)/);
  await assert.rejects(E.loadParameters(path.join(dir, 'nope.safetensors')), /cannot read .*nope\.safetensors: ENOENT/);
  const garbage = path.join(dir, 'garbage.safetensors');
  await fs.writeFile(garbage, 'this is not a safetensors file at all');
  await assert.rejects(E.loadParameters(garbage), /garbage\.safetensors is not a valid safetensors file/);
  const good = await fs.readFile(file);
  const truncated = path.join(dir, 'truncated.safetensors');
  await fs.writeFile(truncated, good.subarray(0, good.length - 100));
  await assert.rejects(E.loadParameters(truncated), /truncated\.safetensors is not a valid safetensors file \(tensor w F32\[96,32\] needs 12288 bytes/);
  const badJson = path.join(dir, 'json.safetensors');
  await fs.writeFile(badJson, handBuilt({}, []).fill(0x7b, 8));
  await assert.rejects(E.loadParameters(badJson), /not a valid safetensors file/);
  await fs.rm(dir, { recursive: true });
});

test('checkParameters names a mis-shaped tensor', () => {
  const store: E.ParameterStore = new Map([['visual.blocks.3.temp_attn.qkv.weight', { shape: [96, 32], data: new Float32Array(96 * 32) }]]);
  assert.throws(
    () => E.checkParameters(store, [{ name: 'visual.blocks.3.temp_attn.qkv.weight', shape: [48, 32] }], 'checkpoint'),
    /checkpoint have visual\.blocks\.3\.temp_attn\.qkv\.weight \[96,32\] but the model expects \[48,32\]/,
  );
});
