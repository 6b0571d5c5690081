/**
 * Lowering of a traced graph to an ONNX ModelProto (opset 17). Each primitive maps to one or two
 * standard ONNX operators, so the same bytes run on onnxruntime-node, onnxruntime-web and the CUDA
 * execution provider.
 */
import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import { TempolabError } from './errors.js';
import { neededNodes, type DType, type Graph, type Node, type Tensor } from './graph.js';
import type { Shape } from './shape.js';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;
type AttributeProto = InstanceType<typeof onnx.AttributeProto>;

export const OPSET = 17;

const ELEM_TYPE: Record<DType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

function rawBytes(values: ArrayLike<number>, dtype: DType): Uint8Array {
  const typed =
    dtype === 'float32' ? Float32Array.from(values) : dtype === 'int64' ? BigInt64Array.from(Array.from(values, (v) => BigInt(v))) : Uint8Array.from(values);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

function tensorProto(name: string, values: ArrayLike<number>, shape: Shape, dtype: DType): TensorProto {
  return onnx.TensorProto.create({ name, dims: [...shape], dataType: ELEM_TYPE[dtype], rawData: rawBytes(values, dtype) });
}

function valueInfo(name: string, shape: Shape, dtype: DType) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: ELEM_TYPE[dtype], shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  });
}

const A = onnx.AttributeProto.AttributeType;
function attr(name: string, value: number | number[] | string | TensorProto, kind: 'int' | 'float' = 'int'): AttributeProto {
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
  if (typeof value === 'number') return kind === 'float' ? onnx.AttributeProto.create({ name, type: A.FLOAT, f: value }) : onnx.AttributeProto.create({ name, type: A.INT, i: value });
  return onnx.AttributeProto.create({ name, type: A.TENSOR, t: value });
}

const SIMPLE: Record<string, string> = {
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', less: 'Less', greater: 'Greater', equal: 'Equal', where: 'Where',
  neg: 'Neg', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', tanh: 'Tanh', sigmoid: 'Sigmoid', erf: 'Erf', relu: 'Relu', sin: 'Sin', cos: 'Cos',
  matmul: 'MatMul', gather: 'Gather',
};

export interface LoweredModel {
  bytes: Uint8Array;
  /** sha256 of the bytes: the session cache key. */
  hash: string;
  inputNames: string[];
  outputNames: string[];
}

export interface LowerOptions {
  /**
   * Inputs to store in the model as initializers (e.g. the parameters, for a standalone file that
   * onnxruntime-web can run with only the data inputs); float32 only, shapes must match.
   */
  constants?: ReadonlyMap<string, Float32Array>;
}

/**
 * Lowers the part of `graph` that `outputs` depend on. Graph inputs that no output needs are
 * dropped, so one traced model can be lowered to several smaller programs.
 */
export function lowerToOnnx(graph: Graph, outputs: Record<string, Tensor> = Object.fromEntries(graph.outputs), name = 'tempolab', options: LowerOptions = {}): LoweredModel {
  if (Object.keys(outputs).length === 0) throw new TempolabError('lowerToOnnx: the graph has no outputs');
  const needed = neededNodes(Object.values(outputs));

  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const constCache = new Map<string, string>();
  const valueName = (t: Tensor | Node): string => {
    const node = 'node' in t ? t.node : t;
    return node.op === 'input' ? (node.attrs.name as string) : `v${node.id}`;
  };
  /** A shared int64/float constant initializer (shape vectors, axes, exponents). */
  const constInput = (values: number[], dtype: DType = 'int64', shape: Shape = [values.length]): string => {
    const key = `${dtype}:${shape.join(',')}:${values.join(',')}`;
    let n = constCache.get(key);
    if (!n) {
      n = `c${constCache.size}`;
      constCache.set(key, n);
      initializers.push(tensorProto(n, values, shape, dtype));
    }
    return n;
  };
  const emit = (opType: string, inputs: string[], output: string, attributes: AttributeProto[] = []) =>
    nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], attribute: attributes, name: `${opType}_${nodes.length}` }));

  const graphInputs: ReturnType<typeof valueInfo>[] = [];
  for (const node of graph.nodes) {
    if (!needed.has(node.id)) continue;
    const out = valueName(node);
    const ins = node.inputs.map(valueName);
    const a = node.attrs;
    switch (node.op) {
      case 'input': {
        const value = options.constants?.get(out);
        if (!value) {
          graphInputs.push(valueInfo(out, node.shape, node.dtype));
          break;
        }
        const size = node.shape.reduce((x, y) => x * y, 1);
        if (node.dtype !== 'float32' || value.length !== size) throw new TempolabError(`lowerToOnnx: constant '${out}' has ${value.length} values but the graph input is ${node.dtype} [${node.shape.join(',')}]`);
        initializers.push(onnx.TensorProto.create({ name: out, dims: [...node.shape], dataType: ELEM_TYPE.float32, rawData: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) }));
        break;
      }
      case 'const':
        initializers.push(tensorProto(out, a.values as Float64Array, node.shape, node.dtype));
        break;
      case 'pow':
        emit('Pow', [ins[0]!, constInput([a.exponent as number], 'float32', [])], out);
        break;
      case 'reduceSum':
        emit('ReduceSum', [ins[0]!, constInput(a.axes as number[])], out, [attr('keepdims', a.keepDims ? 1 : 0)]);
        break;
      case 'reduceMax':
        emit('ReduceMax', ins, out, [attr('axes', a.axes as number[]), attr('keepdims', a.keepDims ? 1 : 0)]);
        break;
      case 'softmax':
        emit('Softmax', ins, out, [attr('axis', a.axis as number)]);
        break;
      case 'logSoftmax':
        emit('LogSoftmax', ins, out, [attr('axis', a.axis as number)]);
        break;
      case 'reshape':
        emit('Reshape', [ins[0]!, constInput([...node.shape])], out);
        break;
      case 'transpose':
        emit('Transpose', ins, out, [attr('perm', a.perm as number[])]);
        break;
      case 'expand':
        emit('Expand', [ins[0]!, constInput([...node.shape])], out);
        break;
      case 'concat':
        emit('Concat', ins, out, [attr('axis', a.axis as number)]);
        break;
      case 'slice':
        emit('Slice', [ins[0]!, constInput([a.start as number]), constInput([a.end as number]), constInput([a.axis as number])], out);
        break;
      case 'pad': {
        const rank = node.shape.length;
        const pads = new Array<number>(2 * rank).fill(0);
        pads[a.axis as number] = a.before as number;
        pads[rank + (a.axis as number)] = a.after as number;
        emit('Pad', [ins[0]!, constInput(pads)], out);
        break;
      }
      case 'scatterAdd': {
        const zeros = `${out}_zeros`;
        emit('ConstantOfShape', [constInput([...node.shape])], zeros, [attr('value', tensorProto('', [0], [1], 'float32'))]);
        const idx = `${out}_idx`;
        emit('Unsqueeze', [ins[0]!, constInput([-1])], idx);
        emit('ScatterND', [zeros, idx, ins[1]!], out, [attr('reduction', 'add')]);
        break;
      }
      case 'cast':
        emit('Cast', ins, out, [attr('to', ELEM_TYPE[node.dtype])]);
        break;
      default: {
        const opType = SIMPLE[node.op];
        if (!opType) throw new TempolabError(`lowerToOnnx: no ONNX lowering for op '${node.op}'`);
        emit(opType, ins, out);
      }
    }
  }
  const graphOutputs = Object.entries(outputs).map(([outName, t]) => {
    emit('Identity', [valueName(t)], outName);
    return valueInfo(outName, t.shape, t.dtype);
  });

  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'tempolab',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: onnx.GraphProto.create({ name, node: nodes, initializer: initializers, input: graphInputs, output: graphOutputs }),
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return {
    bytes,
    hash: createHash('sha256').update(bytes).digest('hex'),
    inputNames: graphInputs.map((v) => v.name),
    outputNames: Object.keys(outputs),
  };
}
