/**
 * trace(fn): calls a model function on symbolic inputs and returns the recorded graph, as JAX's
 * tracing does. The function declares its inputs and parameters on the graph / scope it is given
 * and returns its outputs (a tensor, or named tensors).
 */
import { Graph, Tensor } from './graph.js';
import { Scope } from './scope.js';

export function trace(fn: (graph: Graph, scope: Scope) => Tensor | Record<string, Tensor>): Graph {
  const graph = new Graph();
  const result = fn(graph, new Scope(graph));
  if (result instanceof Tensor) graph.output('output', result);
  else for (const [name, t] of Object.entries(result)) graph.output(name, t);
  return graph;
}
