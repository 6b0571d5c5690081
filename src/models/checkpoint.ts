/**
 * Checkpoints in the Hugging Face layout: `config.json` + `model.safetensors` (or shards listed in
 * `model.safetensors.index.json`) with Qwen2-VL tensor names, plus the tokenizer files. Real
 * Qwen2-VL checkpoints and STAVEQ2 checkpoints load in the same code.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { TempolabError } from '../engine/errors.js';
import type { ParamSpec } from '../engine/graph.js';
import { initParameters, type ParameterStore } from '../engine/parameters.js';
import { readSafetensors, writeSafetensors } from '../engine/safetensors.js';
import { fmt, sameShape } from '../engine/shape.js';
import { temporalAttentionLayers, temporalHeads, validateConfig, visionHeadDim, type TemporalAttentionConfig, type VideoLMConfig } from './config.js';
import { traceVideoLM } from './graph.js';
import { fromHfConfig, toHfConfig } from './hfConfig.js';
import { loadTokenizer, type TextTokenizer } from './tokenizer/index.js';
import { VideoLM } from './videoLM.js';

/** Every parameter the config implies, with its shape and initialiser (traced at the smallest shape). */
export function parameterSpecs(cfg: VideoLMConfig): ParamSpec[] {
  const m = cfg.vision_config.spatial_merge_size;
  return traceVideoLM(cfg, { batch: 1, seq: 2, grid: { t: 1, h: m, w: m } }).parameters;
}

/** A freshly initialised model (seeded). */
export function createVideoLM(cfg: VideoLMConfig, seed: number, tokenizer?: TextTokenizer): VideoLM {
  return new VideoLM(validateConfig(cfg), initParameters(parameterSpecs(cfg), seed), tokenizer);
}

/** Newer transformers versions save Qwen2-VL under `model.language_model.*` / `model.visual.*`. */
function canonicalName(name: string): string {
  if (name.startsWith('model.language_model.')) return 'model.' + name.slice('model.language_model.'.length);
  if (name.startsWith('model.visual.')) return 'visual.' + name.slice('model.visual.'.length);
  return name;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new TempolabError(`${file} not found: a model directory needs ${what}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TempolabError(`${file} is not valid JSON (${(error as Error).message}); restore or re-export the checkpoint`);
  }
}

/** The shard files of an index, each confined to the model directory (no absolute paths, no ../). */
function shardFiles(dir: string, index: string, json: unknown): Map<string, string> {
  const bad = (why: string) => new TempolabError(`${index} is not a valid shard index (${why}); re-save the checkpoint`);
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw bad('it needs a "weight_map" object from tensor names to shard files');
  const owner = new Map<string, string>();
  for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || !file) throw bad(`tensor ${name} maps to ${JSON.stringify(file)}, not a file name`);
    const rel = path.relative(dir, path.resolve(dir, file));
    if (path.isAbsolute(file) || !rel || rel.startsWith('..') || path.isAbsolute(rel)) throw bad(`tensor ${name} maps to ${file}, outside the model directory`);
    owner.set(name, path.join(dir, rel));
  }
  if (!owner.size) throw bad('its weight_map is empty');
  return owner;
}

async function readTensors(dir: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const single = path.join(dir, 'model.safetensors');
  const index = path.join(dir, 'model.safetensors.index.json');
  const owner = existsSync(single) ? null : existsSync(index) ? shardFiles(dir, index, await readJson(index, 'a shard index')) : undefined;
  if (owner === undefined) throw new TempolabError(`${dir} has neither model.safetensors nor model.safetensors.index.json`);
  const files = owner ? [...new Set(owner.values())] : [single];
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const file of files) {
    for (const [name, t] of (await readSafetensors(file)).tensors) {
      if (owner && owner.get(name) !== file) throw new TempolabError(`${file} holds ${name}, which ${index} ${owner.has(name) ? `places in ${owner.get(name)}` : 'does not list'}; re-save the checkpoint`);
      if (t.data instanceof Float32Array) tensors.set(canonicalName(name), { shape: t.shape, data: t.data });
    }
  }
  return tensors;
}

/**
 * Tensors the config has no place for, when they mean the config describes a smaller model than the
 * checkpoint (more decoder layers or vision blocks, STA or LoRA the config leaves out): an error,
 * since dropping them would silently change the model.
 */
function assertConfigCoversCheckpoint(cfg: VideoLMConfig, unused: string[], dir: string): void {
  const sta = new Set(temporalAttentionLayers(cfg.vision_config));
  for (const name of unused) {
    const layer = /^model\.layers\.(\d+)\./.exec(name);
    if (layer && Number(layer[1]) >= cfg.num_hidden_layers) {
      throw new TempolabError(`checkpoint ${dir} has ${name} but config.json says num_hidden_layers ${cfg.num_hidden_layers}; fix num_hidden_layers (dropping layers would change the model)`);
    }
    const block = /^visual\.blocks\.(\d+)\.(temp_attn|norm3)?/.exec(name);
    if (block && Number(block[1]) >= cfg.vision_config.depth) {
      throw new TempolabError(`checkpoint ${dir} has ${name} but config.json says vision_config.depth ${cfg.vision_config.depth}; fix vision_config.depth (dropping blocks would change the model)`);
    }
    if (block?.[2] && !sta.has(Number(block[1]))) {
      throw new TempolabError(`checkpoint ${dir} has ${name} but vision_config.temporal_attention does not give block ${block[1]} STA; fix temporal_attention.layers`);
    }
    if (/\.lora_[AB]\.weight$/.test(name)) throw new TempolabError(`checkpoint ${dir} has LoRA tensor ${name} but config.json has no tempolab_lora; restore tempolab_lora or export with --merge-lora`);
  }
}

/**
 * STAVEQ2 checkpoints carry `temp_attn` tensors but no `temporal_attention` config key: infer which
 * blocks have STA and the head count from the qkv shape [3·heads·head_dim, C].
 */
function inferTemporalAttention(cfg: VideoLMConfig, names: Iterable<string>, shapes: (n: string) => number[] | undefined, log: string[]): void {
  const v = cfg.vision_config;
  if (v.temporal_attention) return;
  const layers = [...names].map((n) => /^visual\.blocks\.(\d+)\.temp_attn\.qkv\.weight$/.exec(n)).filter((m) => m).map((m) => Number(m![1])).sort((a, b) => a - b);
  if (!layers.length) return;
  const rows = shapes(`visual.blocks.${layers[0]}.temp_attn.qkv.weight`)![0]!;
  const heads = rows / (3 * visionHeadDim(v));
  const ta: TemporalAttentionConfig = {
    layers: layers.length === v.depth ? 'all' : layers,
    head_scale: heads / v.num_heads,
    token_order: 'staveq2',
  };
  v.temporal_attention = ta;
  log.push(`inferred STA from temp_attn tensors: ${layers.length} blocks, ${heads} heads; token_order "staveq2" (such checkpoints were trained with the public STAVEQ2 code's order)`);
}

/** What to change when a tensor the config implies is absent: usually the config names the wrong family or extras. */
function missingTensorFix(cfg: VideoLMConfig, name: string, tensors: ReadonlyMap<string, unknown>): string {
  const isQwen25 = cfg.vision_config.model_type === 'qwen2_5_vl';
  if (!isQwen25 && tensors.has('visual.blocks.0.mlp.gate_proj.weight')) return 'these are Qwen2.5-VL weights: set "model_type": "qwen2_5_vl" in config.json';
  if (isQwen25 && tensors.has('visual.blocks.0.mlp.fc1.weight')) return 'these are Qwen2-VL weights: set "model_type": "qwen2_vl" in config.json';
  if (name.includes('temp_attn') || name.includes('norm3')) return 'remove vision_config.temporal_attention from config.json, or add STA with tempolab train stave';
  if (name === 'lm_head.weight') return 'set "tie_word_embeddings": true if the model shares its embedding with the head';
  if (name.includes('lora_')) return 'remove tempolab_lora from config.json';
  return 'use the config.json saved with these weights (depth, num_hidden_layers and widths must match the tensors)';
}

/** Loads an HF-layout model directory; every mismatch is a one-line error naming the tensor. */
export async function loadVideoLM(dir: string): Promise<VideoLM> {
  const generationFile = path.join(dir, 'generation_config.json');
  const generation = existsSync(generationFile) ? await readJson(generationFile, 'generation_config.json') : undefined;
  const cfg = fromHfConfig(await readJson(path.join(dir, 'config.json'), 'config.json'), generation);
  const log: string[] = [];
  validateConfig(cfg);
  const tensors = await readTensors(dir);
  inferTemporalAttention(cfg, tensors.keys(), (n) => tensors.get(n)?.shape, log);
  validateConfig(cfg);
  const params: ParameterStore = new Map();
  for (const spec of parameterSpecs(cfg)) {
    const t = tensors.get(spec.name);
    if (!t) throw new TempolabError(`checkpoint ${dir} lacks ${spec.name} ${fmt(spec.shape)}, which config.json implies; ${missingTensorFix(cfg, spec.name, tensors)}`);
    if (!sameShape(t.shape, spec.shape)) {
      const sta = spec.name.includes('temp_attn') ? ` (temporal heads ${temporalHeads(cfg.vision_config)}, head_scale ${cfg.vision_config.temporal_attention?.head_scale})` : '';
      throw new TempolabError(`checkpoint has ${spec.name} ${fmt(t.shape)} but config expects ${fmt(spec.shape)}${sta}; use the config.json saved with these weights`);
    }
    params.set(spec.name, t);
  }
  const unused = [...tensors.keys()].filter((n) => !params.has(n) && !(cfg.tie_word_embeddings && n === 'lm_head.weight'));
  assertConfigCoversCheckpoint(cfg, unused, dir);
  if (unused.length) log.push(`ignored ${unused.length} tensors the config does not use (first: ${unused[0]})`);
  const tokenizer = existsSync(path.join(dir, 'tokenizer.json')) ? await loadTokenizer(dir) : undefined;
  return new VideoLM(cfg, params, tokenizer, log);
}

/** Writes config.json, model.safetensors and the tokenizer, each atomically. */
export async function saveVideoLM(model: VideoLM, dir: string, metadata: Record<string, string> = {}): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeSafetensors(path.join(dir, 'model.safetensors'), model.params, { format: 'pt', ...metadata });
  await writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(toHfConfig(model.config), null, 2) + '\n');
  if (model.tokenizer) await model.tokenizer.save(dir);
}
