/**
 * Lasso regression by cyclic coordinate descent, with scikit-learn's objective
 * (1/(2n))·‖y − Xw − b‖² + α‖w‖₁ (intercept unpenalised, fitted by centring).
 */
export function fitLasso(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: ArrayLike<number>,
  alpha = 0.01,
  maxIter = 1000,
  tol = 1e-6,
): { coef: Float64Array; intercept: number } {
  const xm = new Float64Array(d);
  let ym = 0;
  for (let i = 0; i < n; i++) {
    ym += y[i] / n;
    for (let j = 0; j < d; j++) xm[j] += X[i * d + j] / n;
  }
  const Xc = new Float64Array(n * d),
    r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    r[i] = y[i] - ym;
    for (let j = 0; j < d; j++) Xc[i * d + j] = X[i * d + j] - xm[j];
  }
  const norm = new Float64Array(d);
  for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) norm[j] += Xc[i * d + j] ** 2 / n;
  const w = new Float64Array(d);
  for (let it = 0; it < maxIter; it++) {
    let maxDelta = 0;
    for (let j = 0; j < d; j++) {
      if (norm[j] === 0) continue;
      let rho = 0;
      for (let i = 0; i < n; i++) rho += Xc[i * d + j] * (r[i] + Xc[i * d + j] * w[j]);
      rho /= n;
      const wNew = (Math.sign(rho) * Math.max(Math.abs(rho) - alpha, 0)) / norm[j];
      const delta = wNew - w[j];
      if (delta !== 0) {
        for (let i = 0; i < n; i++) r[i] -= Xc[i * d + j] * delta;
        w[j] = wNew;
      }
      maxDelta = Math.max(maxDelta, Math.abs(delta));
    }
    if (maxDelta < tol) break;
  }
  let b = ym;
  for (let j = 0; j < d; j++) b -= w[j] * xm[j];
  return { coef: w, intercept: b };
}
