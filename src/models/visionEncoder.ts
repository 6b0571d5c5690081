/**
 * The Qwen2-VL vision encoder (ViT) with Stacked Temporal Attention (STAVE).
 *
 *   patches ──Conv3d(2×p×p)──▶ x                    x: [B, T, N, C]  (T temporal groups, N patches/frame)
 *   per block:  x += spatialAttention(norm1(x))      attention among the N patches of each frame, 2D RoPE
 *               x += temporalAttention(norm3(x))     STA blocks only: each patch attends across the T frames, 1D RoPE
 *               x += mlp(norm2(x))                   fc1 → QuickGELU → fc2
 *   merger:     ln_q → concat each 2×2 window (4C) → Linear → GELU → Linear → [B, T·N/4, hidden]
 *
 * Qwen2.5-VL's tower (vision_config.model_type "qwen2_5_vl") is the same skeleton with RMSNorm for
 * every norm (ln_q included), a SwiGLU MLP (gate_proj, up_proj, down_proj, with bias), and spatial
 * attention restricted to windows outside fullatt_block_indexes (visionWindows.ts). STAVEQ2.5 puts
 * the same STA block after that spatial/window attention.
 */
import { TempolabError } from '../engine/errors.js';
import type { Tensor } from '../engine/graph.js';
import { attention, attentionWeights, gelu, matmul, quickGelu, silu, split } from '../engine/composite.js';
import { add, constant, expand, matmulPrimitive, mul, reshape, slice, transpose } from '../engine/ops.js';
import { layerNormLayer, linear, rmsNormLayer, type Scope } from '../engine/scope.js';
import { temporalAttentionLayers, temporalHeads, visionHeadDim, type VisionConfig } from './config.js';
import { applyRotary, temporalRotaryTable, visionRotaryTable } from './rotary.js';
import { windowedBlocks, windowMask } from './visionWindows.js';

/** The patch grid of a clip before merging: T temporal groups of gridH × gridW patches. */
export interface VideoGrid {
  t: number;
  h: number;
  w: number;
}

/** Run-time switches of the vision encoder: graph inputs, so probes never recompile. */
export interface VisionSwitches {
  /** Additive masks [depth, N, N] on spatial attention (0 = attend). */
  spatialMask: Tensor;
  /** Additive masks [depth, T, T] on temporal attention. */
  temporalMask: Tensor;
  /** 0/1 per block: apply 2D RoPE in spatial attention. */
  spatialRope: Tensor;
  /** 0/1 per block: apply 1D RoPE in temporal attention. */
  temporalRope: Tensor;
  /** Per block, the weight of STA's residual update: 1 = as trained, 0 = STA switched off in that block. */
  temporalGate: Tensor;
}

/** What a traced encoder can also expose, for probes and tests. */
export interface VisionTrace {
  hiddenStates: Tensor[];
  spatialAttentions: Tensor[];
  temporalAttentions: Tensor[];
}

const layerOf = (t: Tensor, i: number) => reshape(slice(t, 0, i, i + 1), t.shape.slice(1));

/** Multi-head self-attention over axis -2 of x [..., L, C] with rotary tables for that axis. */
function selfAttention(
  scope: Scope,
  x: Tensor,
  heads: number,
  headDim: number,
  rope: { cos: Tensor; sin: Tensor; enabled: Tensor },
  mask: Tensor,
  record?: Tensor[],
): Tensor {
  const lead = x.shape.slice(0, -2);
  const len = x.shape[x.rank - 2]!;
  const width = heads * headDim;
  const qkv = reshape(linear(scope.sub('qkv'), x, 3 * width), [...lead, len, 3 * heads, headDim]);
  const perm = [...lead.map((_, i) => i), lead.length + 1, lead.length, lead.length + 2];
  const toHeads = (t: Tensor) => transpose(t, perm); // [..., heads, L, hd]
  const [q, k, v] = split(qkv, -2, [heads, heads, heads]).map(toHeads) as [Tensor, Tensor, Tensor];
  const qr = applyRotary(q, rope.cos, rope.sin, rope.enabled);
  const kr = applyRotary(k, rope.cos, rope.sin, rope.enabled);
  let out: Tensor;
  if (record) {
    const probs = attentionWeights(qr, kr, mask);
    record.push(probs);
    out = matmulPrimitive(probs, v);
  } else out = attention(qr, kr, v, mask);
  return reshape(transpose(out, perm), [...lead, len, width]);
}

/** Spatial attention: the N patches of each frame attend to each other (x: [B, T, N, C]). */
function spatialAttention(scope: Scope, x: Tensor, cfg: VisionConfig, rope: { cos: Tensor; sin: Tensor; enabled: Tensor }, mask: Tensor, record?: Tensor[]): Tensor {
  const attended = selfAttention(scope, x, cfg.num_heads, visionHeadDim(cfg), rope, mask, record);
  return linear(scope.sub('proj'), attended, cfg.embed_dim);
}

/**
 * STA: each patch position attends across the T frames with 0.25× the heads (same head_dim) and 1D
 * RoPE over the frame index. `proj` starts at zero, so a new STA block changes nothing.
 */
function temporalAttention(scope: Scope, x: Tensor, cfg: VisionConfig, rope: { cos: Tensor; sin: Tensor; enabled: Tensor }, mask: Tensor, record?: Tensor[]): Tensor {
  const [b, t, n, c] = x.shape as [number, number, number, number];
  const heads = temporalHeads(cfg);
  const hd = visionHeadDim(cfg);
  const perPatch = transpose(x, [0, 2, 1, 3]); // [B, N, T, C]: each patch's sequence of frames
  const attended = selfAttention(scope, perPatch, heads, hd, rope, mask, record); // [B, N, T, heads·hd]
  const backToFrames =
    cfg.temporal_attention?.token_order === 'staveq2'
      ? reshape(attended, [b, t, n, heads * hd]) // STAVEQ2 code: (patch, frame) rows land on (frame, patch) rows
      : transpose(attended, [0, 2, 1, 3]); // the paper: each output returns to its own patch and frame
  const zeroInit = cfg.temporal_attention?.proj_init !== 'normal';
  return linear(scope.sub('proj'), backToFrames, c, { zeroInit });
}

const isQwen25 = (cfg: VisionConfig) => cfg.model_type === 'qwen2_5_vl';

/** Qwen2-VL: LayerNorm (weight, bias); Qwen2.5-VL: RMSNorm (weight). */
function visionNorm(scope: Scope, x: Tensor, cfg: VisionConfig): Tensor {
  return isQwen25(cfg) ? rmsNormLayer(scope, x, 1e-6) : layerNormLayer(scope, x);
}

function visionMlp(scope: Scope, x: Tensor, cfg: VisionConfig): Tensor {
  if (isQwen25(cfg)) {
    const width = cfg.intermediate_size;
    if (!Number.isInteger(width) || width! <= 0) throw new TempolabError(`config.json: vision_config.intermediate_size must be a positive integer for a Qwen2.5-VL vision tower, got ${JSON.stringify(width)}`);
    const gated = mul(silu(linear(scope.sub('gate_proj'), x, width!)), linear(scope.sub('up_proj'), x, width!));
    return linear(scope.sub('down_proj'), gated, cfg.embed_dim);
  }
  const hidden = quickGelu(linear(scope.sub('fc1'), x, cfg.embed_dim * cfg.mlp_ratio!));
  return linear(scope.sub('fc2'), hidden, cfg.embed_dim);
}

/**
 * The ViT blocks without the merger: `pixelValues` [B, T·N, 3·2·p·p] → patch features [B, T, N, C].
 * Vision pretraining and the video classifier read these; the VideoLM merges them.
 */
export function visionBlocks(scope: Scope, pixelValues: Tensor, grid: VideoGrid, cfg: VisionConfig, switches: VisionSwitches, trace?: VisionTrace): Tensor {
  const b = pixelValues.shape[0]!;
  const n = grid.h * grid.w;
  const c = cfg.embed_dim;
  const patchDim = cfg.in_chans * cfg.temporal_patch_size * cfg.patch_size ** 2;
  // Conv3d with kernel = stride = (2, p, p) over one patch is a matrix product with the flattened kernel.
  const kernel = scope.sub('patch_embed').sub('proj').param('weight', [c, cfg.in_chans, cfg.temporal_patch_size, cfg.patch_size, cfg.patch_size], { kind: 'normal', std: 0.02 });
  let x = reshape(matmul(pixelValues, reshape(kernel, [c, patchDim]), { transB: true }), [b, grid.t, n, c]);

  const hd = visionHeadDim(cfg);
  const spatialTable = visionRotaryTable(pixelValues.graph, grid.h, grid.w, cfg.spatial_merge_size, hd);
  const temporalTable = temporalRotaryTable(pixelValues.graph, grid.t, hd);
  const withSta = new Set(temporalAttentionLayers(cfg));
  const windowed = new Set(windowedBlocks(cfg));
  const windows = windowed.size ? constant(pixelValues.graph, windowMask(grid.h, grid.w, cfg), [n, n]) : undefined;
  trace?.hiddenStates.push(x);
  for (let i = 0; i < cfg.depth; i++) {
    const block = scope.sub('blocks').sub(i);
    const spatialRope = { ...spatialTable, enabled: layerOf(switches.spatialRope, i) };
    const spatialMask = windowed.has(i) ? add(layerOf(switches.spatialMask, i), windows!) : layerOf(switches.spatialMask, i);
    x = add(x, spatialAttention(block.sub('attn'), visionNorm(block.sub('norm1'), x, cfg), cfg, spatialRope, spatialMask, trace?.spatialAttentions));
    if (withSta.has(i)) {
      const temporalRope = { ...temporalTable, enabled: layerOf(switches.temporalRope, i) };
      const update = temporalAttention(block.sub('temp_attn'), visionNorm(block.sub('norm3'), x, cfg), cfg, temporalRope, layerOf(switches.temporalMask, i), trace?.temporalAttentions);
      x = add(x, mul(update, layerOf(switches.temporalGate, i)));
    }
    x = add(x, visionMlp(block.sub('mlp'), visionNorm(block.sub('norm2'), x, cfg), cfg));
    trace?.hiddenStates.push(x);
  }
  return x;
}

/** Switches that leave every attention as trained: no masks, rotary embeddings on. */
export function defaultVisionSwitches(graph: Tensor['graph'], cfg: VisionConfig, grid: VideoGrid): VisionSwitches {
  const n = grid.h * grid.w;
  const filled = (value: number, shape: number[]) => expand(constant(graph, value), shape);
  return {
    spatialMask: filled(0, [cfg.depth, n, n]),
    temporalMask: filled(0, [cfg.depth, grid.t, grid.t]),
    spatialRope: filled(1, [cfg.depth]),
    temporalRope: filled(1, [cfg.depth]),
    temporalGate: filled(1, [cfg.depth]),
  };
}

/**
 * Encodes `pixelValues` [B, T·N, 3·2·p·p] (HF processor layout) into video embeddings
 * [B, T·N/merge², hidden], ready to replace the video pad tokens of the decoder input.
 */
export function visionEncoder(scope: Scope, pixelValues: Tensor, grid: VideoGrid, cfg: VisionConfig, switches: VisionSwitches, trace?: VisionTrace): Tensor {
  return patchMerger(scope.sub('merger'), visionBlocks(scope, pixelValues, grid, cfg, switches, trace), cfg);
}

/** ln_q (LayerNorm; RMSNorm in Qwen2.5-VL) per patch, concatenate each merge window's patches, then Linear → GELU → Linear. */
export function patchMerger(scope: Scope, x: Tensor, cfg: VisionConfig): Tensor {
  const [b, t, n, c] = x.shape as [number, number, number, number];
  const window = cfg.spatial_merge_size ** 2;
  const merged = reshape(visionNorm(scope.sub('ln_q'), x, cfg), [b, t * (n / window), window * c]);
  const hidden = gelu(linear(scope.sub('mlp').sub(0), merged, window * c));
  return linear(scope.sub('mlp').sub(2), hidden, cfg.hidden_size);
}
