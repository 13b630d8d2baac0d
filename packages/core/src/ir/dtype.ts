// Data types and the host-side tensor that moves between core and every backend.

/** The three element types the IR knows. Floats carry values; int32 carries token ids and indices. */
export type DType = 'float32' | 'float64' | 'int32';
export type FloatDType = 'float32' | 'float64';
export type Shape = readonly number[];

export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : Int32Array;
export type AnyTypedArray = Float32Array | Float64Array | Int32Array;

/**
 * A tensor in host memory: the one data format every backend accepts and returns
 * (ONNX Runtime calls it `{type, dims, data}`, tfjs `dataSync()` + `shape`). Row-major.
 */
export interface HostTensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: Shape;
  readonly data: TypedArrayFor<D>;
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocate<D extends DType>(dtype: D, n: number): TypedArrayFor<D> {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n) as TypedArrayFor<D>;
    case 'float64':
      return new Float64Array(n) as TypedArrayFor<D>;
    default:
      return new Int32Array(n) as TypedArrayFor<D>;
  }
}

/** Build a host tensor, copying `values` into the typed array of `dtype`. */
export function tensor<D extends DType>(dtype: D, shape: Shape, values?: ArrayLike<number>): HostTensor<D> {
  const n = sizeOf(shape);
  const data = allocate(dtype, n);
  if (values !== undefined) {
    if (values.length !== n) {
      throw new RangeError(`tensor: ${values.length} values do not fill shape [${shape.join(', ')}] (${n} elements)`);
    }
    data.set(values);
  }
  return { dtype, shape: [...shape], data };
}

export function scalar<D extends DType>(dtype: D, value: number): HostTensor<D> {
  return tensor(dtype, [], [value]);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** The short type of a value as printed in graphs: `f32[32,512]`, `i32[]`. */
export function formatType(dtype: DType, shape: Shape): string {
  const short = dtype === 'float32' ? 'f32' : dtype === 'float64' ? 'f64' : 'i32';
  return `${short}${formatShape(shape)}`;
}
