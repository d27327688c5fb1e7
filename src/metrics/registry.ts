/**
 * The metric registry (metrics.md): one entry per metric, each importing its module on first use, so that a
 * worker thread fitting DCI's trees imports neither the datasets nor the other learners.
 */
import { Registry } from '../registry/index.js';
import { UserError, listChoices } from '../util/errors.js';
import {
  defineCodesMetric,
  defineModelMetric,
  type CodesMetricDefinition,
  type MetricDefinition,
  type MetricResult,
} from './define.js';
import { checkCodes, selectFactors, singleValuedFactors, type CodesAndFactors } from './utils.js';

const dciScores = (prefix: string, r: import('./dci.js').DciResult, numCodes: number, numFactors: number) => ({
  scores: {
    [`${prefix}_disentanglement`]: r.disentanglement,
    [`${prefix}_completeness`]: r.completeness,
    [`${prefix}_informativeness_train`]: r.informativeness_train,
    [`${prefix}_informativeness_test`]: r.informativeness_test,
  },
  matrices: [
    {
      title: `${prefix.toUpperCase().replace('_', ' ')} importance`,
      data: r.importance,
      rows: numCodes,
      cols: numFactors,
    },
  ],
});

export const metrics = new Registry<MetricDefinition, { kind: MetricDefinition['kind'] }>('metric')
  .add(
    'mig',
    async () => {
      const { mig } = await import('./array-metrics.js');
      return defineCodesMetric({
        name: 'mig',
        description: 'mutual information gap (Chen et al.), 20 bins',
        run: (tr) => {
          const r = mig(tr);
          return {
            scores: { mig: r.mig },
            matrices: [{ title: 'mutual information (nats)', data: r.mi, rows: tr.numCodes, cols: tr.numFactors }],
          };
        },
      });
    },
    { kind: 'codes' },
  )
  .add(
    'mig_ksg',
    async () => {
      const { migKsg } = await import('./array-metrics.js');
      return defineCodesMetric({
        name: 'mig_ksg',
        description: 'mutual information gap with kNN (KSG-type, 10 neighbours) MI estimates instead of 20 bins',
        run: (tr) => {
          const r = migKsg(tr);
          return {
            scores: { mig_ksg: r.mig },
            matrices: [{ title: 'mutual information, kNN (nats)', data: r.mi, rows: tr.numCodes, cols: tr.numFactors }],
          };
        },
      });
    },
    { kind: 'codes' },
  )
  .add(
    'infomec',
    async () => {
      const { infomec } = await import('./infomec.js');
      return defineCodesMetric({
        name: 'infomec',
        description: 'InfoM, InfoE, InfoC (Hsu et al. 2023): kNN NMI of active latents, logistic-regression log loss',
        run: (tr) => {
          const r = infomec(tr);
          return {
            scores: { infom: r.infom, infoe: r.infoe, infoc: r.infoc },
            matrices: [
              {
                title: 'InfoMEC normalised MI (active latents)',
                data: r.nmi,
                rows: r.active.length,
                cols: tr.numFactors,
                rowCodes: r.active,
              },
            ],
            details: { infomec: { infoe_per_factor: r.infoePerFactor, active_latents: r.active } },
          };
        },
      });
    },
    { kind: 'codes' },
  )
  .add(
    'dci',
    async () => {
      const { dci } = await import('./dci.js');
      return defineCodesMetric({
        name: 'dci',
        description: 'DCI disentanglement, completeness, informativeness (gradient-boosted trees)',
        run: (tr, te) => dciScores('dci', dci(tr, te), tr.numCodes, tr.numFactors),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'dci_es',
    async () => {
      const { dciEs } = await import('./dci-es.js');
      return defineCodesMetric({
        name: 'dci_es',
        description: 'DCI-ES explicitness (loss–capacity curves: linear, then regression trees of depth 1…16) and size',
        run: (tr, te) => {
          const r = dciEs(tr, te);
          const c = r.curves[0];
          return {
            scores: { dci_es_explicitness: r.explicitness, dci_es_size: r.size },
            curves: [
              {
                title: 'DCI-ES loss–capacity curves (running minimum of the test MSE)',
                xLabel: 'capacity (0 = linear, d = tree depth)',
                yLabel: 'test MSE / baseline',
                x: c.capacities,
                series: r.curves.map((q, k) => ({ name: `f${k}`, values: q.minSoFar.map((v) => v / q.baseline) })),
              },
            ],
            details: {
              dci_es: {
                explicitness_per_factor: r.perFactor,
                capacities: c.capacities,
                test_loss: r.curves.map((q) => q.loss),
                test_loss_min_so_far: r.curves.map((q) => q.minSoFar),
                baseline_loss: r.curves.map((q) => q.baseline),
              },
            },
          };
        },
      });
    },
    { kind: 'codes' },
  )
  .add(
    'dci_lasso',
    async () => {
      const { dciLasso } = await import('./dci.js');
      return defineCodesMetric({
        name: 'dci_lasso',
        description: 'DCI with lasso regression importances (α = 0.01; informativeness = R²)',
        run: (tr, te) => dciScores('dci_lasso', dciLasso(tr, te), tr.numCodes, tr.numFactors),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'sap',
    async () => {
      const { sapDiscrete } = await import('./learned-metrics.js');
      return defineCodesMetric({
        name: 'sap',
        description: 'SAP score with discrete factors (linear SVM per code, C = 0.01, balanced)',
        run: (tr, te) => ({ scores: { sap: sapDiscrete(tr, te).sap } }),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'sap_continuous',
    async () => {
      const { sapContinuous } = await import('./array-metrics.js');
      return defineCodesMetric({
        name: 'sap_continuous',
        description: 'SAP score, continuous variant (cov² / var·var)',
        run: (tr) => ({ scores: { sap_continuous: sapContinuous(tr).sap } }),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'explicitness',
    async () => {
      const { explicitness } = await import('./explicitness.js');
      return defineCodesMetric({
        name: 'explicitness',
        description: 'explicitness (Ridgeway & Mozer): logistic regression, one-vs-rest ROC-AUC',
        run: (tr, te) => ({ scores: explicitness(tr, te) }),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'irs',
    async () => {
      const { irs } = await import('./learned-metrics.js');
      return defineCodesMetric({
        name: 'irs',
        description: 'interventional robustness score (Suter et al.)',
        run: (tr) => ({ scores: { irs: irs(tr) } }),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'hoyer',
    async () => {
      const { hoyer } = await import('./learned-metrics.js');
      return defineCodesMetric({
        name: 'hoyer',
        description: 'normalised Hoyer sparsity of std-scaled codes (Mathieu et al.)',
        run: (tr) => ({ scores: { hoyer: hoyer(tr) } }),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'modularity',
    async () => {
      const { modularity } = await import('./array-metrics.js');
      return defineCodesMetric({
        name: 'modularity',
        description: 'modularity (Ridgeway & Mozer), 20-bin MI',
        run: (tr) => ({ scores: { modularity: modularity(tr) } }),
      });
    },
    { kind: 'codes' },
  )
  .add(
    'unsupervised',
    async () => {
      const { unsupervised } = await import('./array-metrics.js');
      return defineCodesMetric({
        name: 'unsupervised',
        description: 'Gaussian total correlation, Wasserstein dependency, mean pairwise MI of codes',
        run: (tr) => {
          const u = unsupervised(tr);
          return {
            scores: {
              gaussian_total_correlation: u.gaussian_total_correlation,
              gaussian_wasserstein_correlation: u.gaussian_wasserstein_correlation,
              gaussian_wasserstein_correlation_norm: u.gaussian_wasserstein_correlation_norm,
              mutual_info_score: u.mutual_info_score,
            },
          };
        },
      });
    },
    { kind: 'codes' },
  )
  .add(
    'factorvae',
    async () => {
      const { factorVaeScore } = await import('./dataset-metrics.js');
      return defineModelMetric({
        name: 'factorvae',
        description: 'FactorVAE score (Kim & Mnih): majority vote of the least-varying dimension, train/eval accuracy',
        run: (ds, rep, rng, preset) => {
          const f = factorVaeScore(ds, rep, rng, preset.factorvae);
          return { scores: { factorvae_train_accuracy: f.train_accuracy, factorvae_eval_accuracy: f.eval_accuracy } };
        },
      });
    },
    { kind: 'model' },
  )
  .add(
    'betavae',
    async () => {
      const { betaVaeScore } = await import('./learned-metrics.js');
      return defineModelMetric({
        name: 'betavae',
        description: 'BetaVAE score (Higgins et al.): logistic regression on mean |z₁ − z₂| of pairs sharing a factor',
        run: (ds, rep, rng, preset) => {
          const b = betaVaeScore(ds, rep, rng, preset.betavae);
          return { scores: { betavae_train_accuracy: b.train_accuracy, betavae_eval_accuracy: b.eval_accuracy } };
        },
      });
    },
    { kind: 'model' },
  );

/** The registered metrics (of one kind). */
export function metricNames(kind?: MetricDefinition['kind']): string[] {
  return metrics.names().filter((n) => !kind || metrics.meta(n).kind === kind);
}

/**
 * Metric names from a comma-separated list (every metric of `kind` when empty), checked against the registry:
 * an unknown name, or one of the other kind, is a UserError listing the valid names.
 */
export function parseMetricList(list: string | undefined, kind?: MetricDefinition['kind']): string[] {
  const valid = metricNames(kind);
  if (!list) return valid;
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new UserError(`--metrics '${list}' names no metric: choose from ${listChoices(valid)}`);
  for (const n of names) {
    if (!valid.includes(n)) {
      const why = metrics.has(n) ? ` ('${n}' needs a trained model: use \`disentangle evaluate\`)` : '';
      throw new UserError(`unknown metric '${n}'${why}: choose ${listChoices(valid)}`);
    }
  }
  return names;
}

/** What `computeArrayMetrics` returns. */
export interface ArrayMetricsResult extends MetricResult {
  matrices: NonNullable<MetricResult['matrices']>;
  curves: NonNullable<MetricResult['curves']>;
  details: NonNullable<MetricResult['details']>;
  /** The factor columns measured (indices into the given factors): the matrices' columns, in order. */
  factors: number[];
  /** Things the caller should tell the user (a factor left out, …). */
  warnings: string[];
}

/**
 * Run the named codes metrics on train/test codes; one flat record of scores plus the matrices.
 *
 * A factor with a single value in the train codes carries no variation to capture: it is left out of every
 * metric (with a warning naming it), as MIG always did — otherwise DCI would count it as a factor no code
 * explains (completeness and informativeness pulled towards 0 and 1), SAP as one every code predicts, and
 * modularity would divide by one factor too many. Every score must come out finite: one that does not is an
 * error naming the metric, never a NaN (null in JSON) passed on as a result.
 */
export async function computeArrayMetrics(
  train: CodesAndFactors,
  test: CodesAndFactors,
  names?: string[],
  factorNames?: readonly string[],
): Promise<ArrayMetricsResult> {
  checkCodes(train, 'train codes');
  checkCodes(test, 'test codes');
  if (train.numCodes !== test.numCodes || train.numFactors !== test.numFactors) {
    throw new UserError(
      `train and test differ in shape: ${train.numCodes} vs ${test.numCodes} codes, ${train.numFactors} vs ${test.numFactors} factors`,
    );
  }
  const single = singleValuedFactors(train);
  const factors = [...Array(train.numFactors).keys()].filter((k) => !single.includes(k));
  if (!factors.length)
    throw new UserError(
      `every factor has a single value in the train codes (${train.numFactors} factor${train.numFactors === 1 ? '' : 's'}): ` +
        'there is no variation to measure',
    );
  const warnings = single.map(
    (k) =>
      `factor ${factorNames?.[k] ?? k} has a single value (${train.factors[k]}) in the train codes: ` +
      'it is left out of every metric',
  );
  if (single.length) {
    train = selectFactors(train, factors);
    test = selectFactors(test, factors);
  }
  const out: ArrayMetricsResult = { scores: {}, matrices: [], curves: [], details: {}, factors, warnings };
  for (const n of names ?? metricNames('codes')) {
    const def = await metrics.get(n);
    if (def.kind !== 'codes') throw new UserError(`metric '${n}' needs a trained model, not codes`);
    const r = (def as CodesMetricDefinition).run(train, test);
    for (const [key, v] of Object.entries(r.scores))
      if (!Number.isFinite(v))
        throw new UserError(
          `metric '${n}' gave ${key} = ${v} on these codes (${train.n} train, ${test.n} test rows, ` +
            `${train.numCodes} codes): the codes are too few or too degenerate for it; leave it out with --metrics`,
        );
    Object.assign(out.scores, r.scores);
    out.matrices.push(...(r.matrices ?? []));
    out.curves.push(...(r.curves ?? []));
    Object.assign(out.details, r.details);
  }
  return out;
}
