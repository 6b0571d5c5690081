/**
 * A model as standalone ONNX files for onnxruntime-web, a GPU server or any other ONNX runtime:
 * the vision encoder, the prefill (whole forward over a padded prompt, returning the KV cache) and
 * one KV-cache decode step. Weights and the unmodified-model switches (RoPE on, no masks beyond
 * causal, STA on) are stored inside the files, so each takes only its data inputs. Shapes are fixed
 * at export (ONNX files are traced like every tempolab graph): one clip shape, a prompt length to
 * right-pad to, and a cache capacity; `onnx.json` records them and every input's meaning.
 */
import path from 'node:path';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { TempolabError } from '../engine/errors.js';
import type { Graph } from '../engine/graph.js';
import { lowerToOnnx } from '../engine/onnx.js';
import { temporalAttentionLayers } from './config.js';
import { mergedTokens, traceDecodeStep, traceVideoLM } from './graph.js';
import { causalDecoderMask, type VideoLM } from './videoLM.js';

export interface OnnxExportOptions {
  /** Raw frames per clip and their square size in pixels (default 8 and 32). */
  frames?: number;
  size?: number;
  /** Prompt length the prefill takes; shorter prompts are right-padded (default 128). */
  seq?: number;
  /** Tokens the decode step's cache holds after the prompt (default 32). */
  maxNewTokens?: number;
}

export interface OnnxExportSummary {
  files: string[];
  seq: number;
  capacity: number;
  grid: [number, number, number];
  videoTokens: number;
}

function constantsFor(model: VideoLM, graph: Graph, extra: Record<string, Float32Array>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>(Object.entries(extra));
  for (const [name, p] of model.params) out.set(name, p.data as Float32Array);
  for (const node of graph.nodes) if (node.op === 'input' && out.has(node.attrs.name as string) && node.dtype !== 'float32') out.delete(node.attrs.name as string);
  return out;
}

export async function exportOnnx(model: VideoLM, dir: string, options: OnnxExportOptions = {}): Promise<OnnxExportSummary> {
  const cfg = model.config;
  const v = cfg.vision_config;
  if (cfg.tempolab_lora) throw new TempolabError('the model carries unmerged LoRA adapters; export ONNX from a merged model (tempolab export --merge-lora, then export --onnx from that)');
  const frames = options.frames ?? 8;
  const size = options.size ?? 32;
  const seq = options.seq ?? 128;
  const maxNew = options.maxNewTokens ?? 32;
  const factor = v.patch_size * v.spatial_merge_size;
  if (!Number.isInteger(frames) || frames < 1) throw new TempolabError(`--frames must be a positive integer, got ${frames}`);
  if (!Number.isInteger(size) || size < factor || size % factor) throw new TempolabError(`--size must be a positive multiple of patch_size·spatial_merge_size = ${factor}, got ${size}`);
  const grid = { t: Math.ceil(frames / v.temporal_patch_size), h: size / v.patch_size, w: size / v.patch_size };
  const videoTokens = mergedTokens(cfg, grid);
  if (!Number.isInteger(seq) || seq <= videoTokens + 2) throw new TempolabError(`--seq ${seq} leaves no room for the prompt around ${videoTokens} video tokens; give a longer --seq`);
  if (!Number.isInteger(maxNew) || maxNew < 1) throw new TempolabError(`--max-new-tokens must be a positive integer, got ${maxNew}`);
  const layers = cfg.num_hidden_layers;
  const n = grid.h * grid.w;
  const switches = {
    vision_spatial_mask: new Float32Array(v.depth * n * n),
    vision_temporal_mask: new Float32Array(v.depth * grid.t * grid.t),
    vision_spatial_rope: new Float32Array(v.depth).fill(1),
    vision_temporal_rope: new Float32Array(v.depth).fill(1),
    vision_temporal_gate: new Float32Array(v.depth).fill(1),
    decoder_rope: new Float32Array(layers).fill(1),
  };
  const full = traceVideoLM(cfg, { batch: 1, seq, grid });
  const out = (name: string) => full.outputs.get(name)!;
  const programs: [string, Graph, Record<string, ReturnType<typeof out>>, Record<string, Float32Array>][] = [
    ['vision_encoder.onnx', full, { video_embeds: out('video_embeds') }, switches],
    ['prefill.onnx', full, { logits: out('logits'), present_keys: out('present_keys'), present_values: out('present_values') }, { ...switches, decoder_mask: causalDecoderMask(layers, seq) }],
  ];
  const capacity = seq + maxNew;
  const step = traceDecodeStep(cfg, 1, Array.from({ length: layers }, () => capacity));
  programs.push(['decode_step.onnx', step, Object.fromEntries(step.outputs), { decoder_rope: switches.decoder_rope }]);
  const files: string[] = [];
  for (const [file, graph, outputs, extra] of programs) {
    const lowered = lowerToOnnx(graph, outputs, file.replace('.onnx', ''), { constants: constantsFor(model, graph, extra) });
    await writeFileAtomic(path.join(dir, file), lowered.bytes);
    files.push(file);
  }
  const manifest = {
    format: 'tempolab-onnx', version: 1, opset: 17,
    clip: { frames, height: size, width: size, grid_thw: [grid.t, grid.h, grid.w], pixel_values_videos: [1, grid.t * n, v.in_chans * v.temporal_patch_size * v.patch_size ** 2] },
    video_tokens: videoTokens, seq, cache_capacity: capacity, num_layers: layers, sta_blocks: temporalAttentionLayers(v),
    files: {
      'vision_encoder.onnx': { inputs: { pixel_values_videos: 'float32 [1, T·H·W patches, 3·2·p·p]: the Qwen2-VL processor layout (tempolab videoToPixelValues)' }, outputs: { video_embeds: 'float32 [1, video_tokens, hidden]' } },
      'prefill.onnx': {
        inputs: {
          input_ids: `int64 [1, ${seq}]: the chat prompt, right-padded to ${seq} with any token (causal attention keeps the padding out of earlier positions)`,
          embed_index: `int64 [1, ${seq}]: for position s, s, or ${seq} + k at the k-th <|video_pad|> token`,
          position_ids: `int64 [${layers}, 1, 3, ${seq}]: Qwen2-VL M-RoPE ids (get_rope_index), the same [3, ${seq}] block repeated for every layer`,
          pixel_values_videos: 'as for vision_encoder.onnx',
        },
        outputs: { logits: `float32 [1, ${seq}, vocab]: read row (prompt length − 1)`, present_keys: `float32 [${layers}, 1, kv_heads, ${seq}, head_dim]`, present_values: 'same shape as present_keys' },
      },
      'decode_step.onnx': {
        inputs: {
          input_ids: 'int64 [1, 1]: the token just generated',
          position_ids: 'int64 [1, 3, 1]: its M-RoPE id (last prompt id + 1, then + 1 per step, in all three rows)',
          'past_keys.{l}, past_values.{l}': `float32 [1, kv_heads, ${capacity}, head_dim] per layer: the prefill's keys/values in slots 0…prompt length − 1, each step's present_keys.{l} written at the next slot`,
          'decoder_mask.{l}': `float32 [1, ${capacity + 1}] per layer: 0 for filled slots and the last entry (the token itself), −Infinity for empty slots`,
        },
        outputs: { logits: 'float32 [1, 1, vocab]', 'present_keys.{l}, present_values.{l}': 'float32 [1, kv_heads, 1, head_dim]: this token\'s keys/values' },
      },
    },
  };
  await writeFileAtomic(path.join(dir, 'onnx.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push('onnx.json');
  return { files, seq, capacity, grid: [grid.t, grid.h, grid.w], videoTokens };
}
