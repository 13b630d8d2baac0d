// A finite-difference check of a gradient in ONE random direction (JAX `check_vjp`). Checking every
// coordinate costs two function evaluations per element; one direction costs two in total and still
// catches a wrong gradient with probability 1: <grad, v> = df/dx . v for a random v only if grad is right
// (or off by something orthogonal to v, which a random v almost never is).

export interface FiniteDifferenceCheck {
  /** The scalar function, evaluated at a point given as a flat vector. */
  readonly f: (x: Float64Array) => number | Promise<number>;
  /** Where to check. */
  readonly x: ArrayLike<number>;
  /** The claimed gradient of `f` at `x` (what autodiff computed). */
  readonly gradient: ArrayLike<number>;
  /** The direction `v` (random, same length as `x`). */
  readonly direction: ArrayLike<number>;
  /** Step size; 1e-5 balances truncation (eps^2) against rounding (1e-16 / eps) in float64. */
  readonly eps?: number;
}

export interface FiniteDifferenceResult {
  /** <gradient, v>: the directional derivative autodiff claims. */
  readonly analytic: number;
  /** (f(x + eps v) - f(x - eps v)) / (2 eps): the central difference. */
  readonly numeric: number;
  /** |analytic - numeric| / max(|analytic|, |numeric|), 0 when both are 0. */
  readonly relativeError: number;
}

export async function finiteDifferenceCheck(check: FiniteDifferenceCheck): Promise<FiniteDifferenceResult> {
  const { x, gradient, direction } = check;
  const eps = check.eps ?? 1e-5;
  if (gradient.length !== x.length || direction.length !== x.length) {
    throw new RangeError(`finiteDifferenceCheck: x, gradient and direction lengths differ`);
  }
  const step = (sign: number) => Float64Array.from(x, (xi, i) => xi + sign * eps * direction[i]);
  const numeric = ((await check.f(step(+1))) - (await check.f(step(-1)))) / (2 * eps);
  let analytic = 0;
  for (let i = 0; i < x.length; i++) analytic += gradient[i] * direction[i];
  const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
  const relativeError = scale === 0 ? 0 : Math.abs(analytic - numeric) / scale;
  return { analytic, numeric, relativeError };
}
