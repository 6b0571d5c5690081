/**
 * Counts floating-point operations of a traced graph from its nodes: 2·m·n·k per matmul, one per
 * output element for elementwise ops, ~5 per element for softmax, one per input element for
 * reductions. Data movement (reshape, transpose, slice, gather…) counts zero. Used for GFLOP/s
 * figures and for the FLOPs saved by sparse attention and temporal exit.
 */
import { neededNodes, type Graph, type Node, type Tensor } from './graph.js';
import { sizeOf } from './shape.js';

const ELEMENTWISE = new Set(['add', 'sub', 'mul', 'div', 'less', 'greater', 'equal', 'where', 'neg', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'erf', 'relu', 'sin', 'cos', 'pow']);

export function nodeFlops(node: Node): number {
  if (node.op === 'matmul') {
    const a = node.inputs[0]!.shape;
    return 2 * sizeOf(node.shape) * a[a.length - 1]!;
  }
  if (ELEMENTWISE.has(node.op)) return sizeOf(node.shape);
  if (node.op === 'softmax' || node.op === 'logSoftmax') return 5 * sizeOf(node.shape);
  if (node.op === 'reduceSum' || node.op === 'reduceMax') return sizeOf(node.inputs[0]!.shape);
  if (node.op === 'scatterAdd') return sizeOf(node.inputs[1]!.shape);
  return 0;
}

/** FLOPs of the nodes that `outputs` (default: the graph's outputs) depend on. */
export function countFlops(graph: Graph, outputs: Record<string, Tensor> = Object.fromEntries(graph.outputs)): { total: number; matmul: number } {
  const needed = neededNodes(Object.values(outputs));
  let total = 0;
  let matmul = 0;
  for (const node of graph.nodes) {
    if (!needed.has(node.id)) continue;
    const f = nodeFlops(node);
    total += f;
    if (node.op === 'matmul') matmul += f;
  }
  return { total, matmul };
}
