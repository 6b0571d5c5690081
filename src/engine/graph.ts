import { TempolabError } from './errors.js';
import { fmt, type Shape } from './shape.js';

export type DType = 'float32' | 'int64' | 'bool';

export type Attrs = Record<string, unknown>;

/** One operation of the IR. Nodes are immutable and created in topological order. */
export interface Node {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * A symbolic tensor: the output of one IR node, with a concrete shape and dtype fixed at trace time.
 * Arithmetic on symbolic tensors records nodes in their graph instead of computing anything.
 */
export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly node: Node,
  ) {}

  get shape(): Shape {
    return this.node.shape;
  }
  get dtype(): DType {
    return this.node.dtype;
  }
  get rank(): number {
    return this.node.shape.length;
  }
  toString(): string {
    return `Tensor(${this.node.op}#${this.node.id} ${this.dtype}${fmt(this.shape)})`;
  }
}

/** What a model declares about each of its parameters while it is traced. */
export interface ParamSpec {
  name: string;
  shape: Shape;
  /** Initialiser, called with a seeded normal/uniform source at initParameters time. */
  init: ParamInit;
  /** AdamW weight decay applies (true for matrices; false for norms and biases). */
  decay: boolean;
}

export type ParamInit =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number };

export interface GraphInput {
  name: string;
  tensor: Tensor;
  /** Set when the input is a model parameter. */
  param?: ParamSpec;
}

/**
 * A traced computation: its nodes in creation (= topological) order, its named inputs (batch data,
 * parameters, run-time switches such as masks and learning rate) and its named outputs.
 */
/**
 * Rewrites a parameter where the model uses it (e.g. LoRA: W → W + s·B·A). Set on a graph before
 * tracing; the model code is unchanged.
 */
export type ParamAdapter = (spec: ParamSpec, weight: Tensor, graph: Graph) => Tensor;

export class Graph {
  readonly nodes: Node[] = [];
  /** Applied by Scope.param to every parameter as the model asks for it. */
  adapter?: ParamAdapter;
  readonly inputs = new Map<string, GraphInput>();
  readonly outputs = new Map<string, Tensor>();

  /** Records a node; used by the op constructors, which check shapes before calling it. */
  addNode(op: string, inputs: readonly Tensor[], attrs: Attrs, shape: Shape, dtype: DType): Tensor {
    for (const t of inputs) {
      if (t.graph !== this) throw new TempolabError(`${op}: an input belongs to another traced graph (${t})`);
    }
    const node: Node = { id: this.nodes.length, op, inputs, attrs, shape: [...shape], dtype };
    this.nodes.push(node);
    return new Tensor(this, node);
  }

  /** A named graph input: batch data, or a run-time switch (mask, position ids, learning rate). */
  input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
    const existing = this.inputs.get(name);
    if (existing) {
      const t = existing.tensor;
      if (t.dtype !== dtype || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new TempolabError(`input '${name}' declared twice: ${t.dtype}${fmt(t.shape)} and ${dtype}${fmt(shape)}`);
      }
      return t;
    }
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new TempolabError(`input '${name}': invalid shape ${fmt(shape)}`);
    }
    const tensor = this.addNode('input', [], { name }, shape, dtype);
    this.inputs.set(name, { name, tensor });
    return tensor;
  }

  /** A model parameter: a float32 graph input that also records how to initialise it. */
  param(spec: ParamSpec): Tensor {
    const existing = this.inputs.get(spec.name);
    if (existing && !existing.param) throw new TempolabError(`'${spec.name}' is already a non-parameter input`);
    const tensor = this.input(spec.name, spec.shape, 'float32');
    if (!existing) this.inputs.get(spec.name)!.param = spec;
    return tensor;
  }

  output(name: string, tensor: Tensor): void {
    if (tensor.graph !== this) throw new TempolabError(`output '${name}' belongs to another graph`);
    if (this.outputs.has(name)) throw new TempolabError(`output '${name}' declared twice`);
    this.outputs.set(name, tensor);
  }

  /** The parameter specs, in the order the model declared them. */
  get parameters(): ParamSpec[] {
    return [...this.inputs.values()].flatMap((i) => (i.param ? [i.param] : []));
  }
}

/** The ids of every node that `outputs` depend on: what a lowering, an evaluation or a FLOP count must visit. */
export function neededNodes(outputs: readonly Tensor[]): Set<number> {
  const needed = new Set<number>();
  const stack = outputs.map((t) => t.node);
  while (stack.length) {
    const n = stack.pop()!;
    if (needed.has(n.id)) continue;
    needed.add(n.id);
    for (const i of n.inputs) stack.push(i.node);
  }
  return needed;
}
