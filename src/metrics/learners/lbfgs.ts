/**
 * L-BFGS for smooth unconstrained minimisation (Nocedal & Wright, ch. 7): the last 10 steps and
 * gradient changes approximate the inverse Hessian; steps by backtracking (Armijo) line search.
 */

/** Minimise f with L-BFGS (memory 10) and backtracking (Armijo) line search. */
export function lbfgs(
  f: (w: Float64Array, g: Float64Array) => number,
  w0: Float64Array,
  maxIter = 200,
  tol = 1e-6,
): Float64Array {
  const n = w0.length,
    m = 10;
  const w = Float64Array.from(w0);
  const g = new Float64Array(n);
  let fx = f(w, g);
  const S: Float64Array[] = [],
    Y: Float64Array[] = [],
    rho: number[] = [];
  const d = new Float64Array(n),
    wNew = new Float64Array(n),
    gNew = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    let gnorm = 0;
    for (let i = 0; i < n; i++) gnorm = Math.max(gnorm, Math.abs(g[i]));
    if (gnorm < tol) break;
    // two-loop recursion
    d.set(g);
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k][i] * d[i];
      a *= rho[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[k][i];
    }
    if (S.length) {
      const k = S.length - 1;
      let sy = 0,
        yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[k][i] * Y[k][i];
        yy += Y[k][i] * Y[k][i];
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= gamma;
    } else {
      // no curvature pairs yet: a first step of length 1 along −g/‖g‖ (as scipy's L-BFGS-B starts), not −g
      let gg = 0;
      for (let i = 0; i < n; i++) gg += g[i] * g[i];
      const scale = 1 / Math.max(1, Math.sqrt(gg));
      for (let i = 0; i < n; i++) d[i] *= scale;
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k][i] * d[i];
      b *= rho[k];
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - b);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope -= g[i] * d[i];
    if (slope >= 0) {
      for (let i = 0; i < n; i++) d[i] = g[i];
      slope = -g.reduce((a, v) => a + v * v, 0);
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
    }
    let step = 1,
      fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) wNew[i] = w[i] - step * d[i];
      fNew = f(wNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) break;
    const s = new Float64Array(n),
      y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = wNew[i] - w[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
    }
    const rel = Math.abs(fx - fNew) / Math.max(1, Math.abs(fx));
    w.set(wNew);
    g.set(gNew);
    fx = fNew;
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    if (rel < 1e-10) break;
  }
  return w;
}
