// Cases for the composite ops (ops/composite.ts): values worked out by hand (to 17 digits with
// exact arithmetic), including logits large enough that a naive exp would overflow.

interface Values {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

export interface SoftmaxCase {
  readonly fn: 'logSoftmax' | 'softmax';
  readonly name: string;
  readonly axis: number;
  readonly logits: Values;
  readonly expected: readonly number[];
}

export interface CrossEntropyCase {
  readonly name: string;
  readonly logits: Values;
  readonly labels: readonly number[];
  readonly loss: number;
  /** d loss / d logits: (softmax - oneHot(labels)) / N */
  readonly grad: readonly number[];
}

export interface GlobalNormCase {
  readonly name: string;
  readonly tensors: readonly Values[];
  readonly norm: number;
}

export interface ClipCase {
  readonly name: string;
  readonly grads: readonly Values[];
  readonly theta: number;
  readonly norm: number;
  /** `unchanged`: the clipped gradients must equal the inputs bit for bit. */
  readonly expected: 'unchanged' | readonly (readonly number[])[];
}

// log(e + e^2 + e^3) = 3 + 0.40760596444438030..., and log(3) = 1.09861228866810969...
const LSE = 0.4076059644443803;
const LOG3 = 1.0986122886681097;
const SOFTMAX_123 = [0.09003057317038046, 0.24472847105479765, 0.6652409557748219];
const THIRD = 1 / 3;

export const softmaxCases: SoftmaxCase[] = [
  {
    fn: 'logSoftmax',
    name: 'hand',
    axis: -1,
    logits: { shape: [2, 3], values: [1, 2, 3, 0, 0, 0] },
    expected: [-2 - LSE, -1 - LSE, -LSE, -LOG3, -LOG3, -LOG3],
  },
  {
    // exp(1002) overflows every float; subtracting the row maximum first keeps this exact.
    fn: 'logSoftmax',
    name: 'large-logits',
    axis: -1,
    logits: { shape: [2, 3], values: [1000, 1001, 1002, -1000, 0, 1000] },
    expected: [-2 - LSE, -1 - LSE, -LSE, -2000, -1000, 0],
  },
  {
    fn: 'logSoftmax',
    name: 'axis0',
    axis: 0,
    logits: { shape: [3, 2], values: [1, 0, 2, 0, 3, 0] },
    expected: [-2 - LSE, -LOG3, -1 - LSE, -LOG3, -LSE, -LOG3],
  },
  {
    fn: 'softmax',
    name: 'hand',
    axis: -1,
    logits: { shape: [2, 3], values: [1, 2, 3, 0, 0, 0] },
    expected: [...SOFTMAX_123, THIRD, THIRD, THIRD],
  },
  {
    fn: 'softmax',
    name: 'large-logits',
    axis: -1,
    logits: { shape: [2, 3], values: [1000, 1000, 0, -1000, -1000, -1000] },
    expected: [0.5, 0.5, 0, THIRD, THIRD, THIRD],
  },
];

export const crossEntropyCases: CrossEntropyCase[] = [
  {
    name: 'hand',
    logits: { shape: [2, 3], values: [1, 2, 3, 0, 0, 0] },
    labels: [2, 0],
    loss: (LSE + LOG3) / 2,
    grad: [SOFTMAX_123[0] / 2, SOFTMAX_123[1] / 2, (SOFTMAX_123[2] - 1) / 2, (THIRD - 1) / 2, THIRD / 2, THIRD / 2],
  },
  {
    // Row 0 is certain and right (loss 0), row 1 certain and wrong (loss 1000): finite, no NaN.
    name: 'large-logits',
    logits: { shape: [2, 2], values: [1000, 0, 0, 1000] },
    labels: [0, 0],
    loss: 500,
    grad: [0, 0, -0.5, 0.5],
  },
];

export const globalNormCases: GlobalNormCase[] = [
  {
    name: 'two-tensors',
    tensors: [
      { shape: [2], values: [3, 4] },
      { shape: [1, 1], values: [12] },
    ],
    norm: 13,
  },
  { name: 'one-tensor', tensors: [{ shape: [2, 2], values: [1, 2, -2, 4] }], norm: 5 },
];

// Norm sqrt(0.55) = 0.74161984870956629...; scaled to theta 0.5 each value is multiplied by 0.5 / norm.
const SMALL = [
  { shape: [3], values: [0.1, -0.2, 0.3] },
  { shape: [2, 1], values: [0.4, -0.5] },
];
// Norm exactly 13 in every precision.
const PYTHAGORAS = [
  { shape: [2], values: [3, 4] },
  { shape: [1, 1], values: [12] },
];

export const clipCases: ClipCase[] = [
  { name: 'below-theta', grads: SMALL, theta: 1, norm: 0.7416198487095663, expected: 'unchanged' },
  { name: 'at-theta', grads: PYTHAGORAS, theta: 13, norm: 13, expected: 'unchanged' },
  { name: 'above-theta', grads: PYTHAGORAS, theta: 6.5, norm: 13, expected: [[1.5, 2], [6]] },
  {
    name: 'above-theta-scaled',
    grads: SMALL,
    theta: 0.5,
    norm: 0.7416198487095663,
    expected: [
      [0.06741998624632421, -0.13483997249264842, 0.20225995873897263],
      [0.26967994498529683, -0.33709993123162104],
    ],
  },
];
