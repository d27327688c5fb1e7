/**
 * The framework registry (frameworks.md): each framework is a loss on the shared training step.
 * Names: ae, vae, betavae, annealedvae, factorvae, betatcvae, dipvae1, dipvae2, infovae, adagvae, adamlvae, decomposition.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserError, listChoices } from '../util/errors.js';
import type { Framework, FrameworkFactoryArgs, StepContext, LossOutput } from './types.js';
import { scheduleSchema, scheduleValue } from './schedules.js';
import { makePrior, priorSchema } from '../priors/index.js';
import { latentDistribution, type LatentName } from '../nn/index.js';
import { Rng } from '../util/rng.js';
import { adam } from '../engine/adam.js';
import {
  covariance,
  klMean,
  klPerDim,
  logNormal,
  mmdRbf,
  reconMean,
  sampleNormal,
  splitPosterior,
  type Posterior,
} from './common.js';

interface FrameworkEntry {
  name: string;
  description: string;
  schema: z.ZodObject<any>;
  create(params: any, args: FrameworkFactoryArgs): Framework;
}

const entries = new Map<string, FrameworkEntry>();

function register(e: FrameworkEntry): void {
  entries.set(e.name, e);
}

export function frameworkNames(): string[] {
  return [...entries.keys()];
}

export function frameworkDescriptions(): Array<{
  name: string;
  description: string;
  defaults: Record<string, unknown>;
}> {
  return [...entries.values()].map((e) => ({ name: e.name, description: e.description, defaults: e.schema.parse({}) }));
}

export function frameworkParamsSchema(name: string): z.ZodObject<any> {
  const e = entries.get(name);
  if (!e) throw new UserError(`unknown framework '${name}': choose ${listChoices(frameworkNames())}`);
  return e.schema;
}

export function createFramework(name: string, args: FrameworkFactoryArgs): Framework {
  const schema = frameworkParamsSchema(name);
  const parsed = schema.safeParse(args.params ?? {});
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown parameter ${i.keys.map((k) => `'${k}'`).join(', ')} (valid: ${Object.keys(schema.shape).join(', ') || 'none'})`
        : `'${i.path.join('.')}': ${i.message}`,
    );
    throw new UserError(`framework '${name}': ${msgs.join('; ')}`);
  }
  return entries.get(name)!.create(parsed.data, args);
}

const meanRep = (h: tf.Tensor2D) => splitPosterior(h).mu;

/** β-VAE family: recon + β·KL (+ a framework-specific regulariser). */
function gaussianFramework(
  name: string,
  regulariser: (
    ctx: StepContext,
    p: Posterior,
    z: tf.Tensor2D,
  ) => { loss: tf.Scalar; terms: Record<string, tf.Scalar> },
  latent: LatentName = 'normal',
): Framework {
  const dist = latentDistribution(latent);
  return {
    name,
    batchKind: 'single',
    encoderOutputsPerLatent: 2,
    loss(ctx): LossOutput {
      const p = splitPosterior(ctx.model.encode(ctx.x));
      const z = latent === 'normal' ? sampleNormal(p, ctx.seed) : dist.sample(p.mu, p.logvar, ctx.seed);
      const recon = reconMean(ctx, ctx.x, z);
      const reg = regulariser(ctx, p, z);
      return { loss: tf.add(recon, reg.loss) as tf.Scalar, terms: { recon, ...reg.terms } };
    },
    representation: meanRep,
  };
}

const beta = scheduleSchema;

register({
  name: 'ae',
  description: 'deterministic autoencoder (z = encoder output)',
  schema: z.object({}).strict(),
  create: () => ({
    name: 'ae',
    batchKind: 'single',
    encoderOutputsPerLatent: 1,
    loss(ctx) {
      const z = ctx.model.encode(ctx.x);
      const recon = reconMean(ctx, ctx.x, z);
      return { loss: recon, terms: { recon } };
    },
    representation: (h) => h,
  }),
});

/** KL to N(0, I), summed over dimensions and averaged over the batch, for the chosen latent distribution. */
const latentKl = (latent: LatentName, p: Posterior) =>
  (latent === 'normal'
    ? klMean(p)
    : tf.mean(tf.sum(latentDistribution(latent).klPerDim(p.mu, p.logvar), 1))) as tf.Scalar;
const latentOption = z.enum(['normal', 'laplace']).default('normal');

register({
  name: 'vae',
  description: 'VAE (Kingma & Welling): recon + KL (latent: normal or laplace)',
  schema: z.object({ latent: latentOption }).strict(),
  create: (p) =>
    gaussianFramework(
      'vae',
      (_ctx, post) => {
        const kl = latentKl(p.latent, post);
        return { loss: kl, terms: { kl } };
      },
      p.latent,
    ),
});

register({
  name: 'betavae',
  description: 'β-VAE (Higgins et al.): recon + β·KL (latent: normal or laplace)',
  schema: z.object({ beta: beta.default(4), latent: latentOption }).strict(),
  create: (p) =>
    gaussianFramework(
      'betavae',
      (ctx, post) => {
        const kl = latentKl(p.latent, post);
        return { loss: tf.mul(scheduleValue(p.beta, ctx.step), kl) as tf.Scalar, terms: { kl } };
      },
      p.latent,
    ),
});

register({
  name: 'annealedvae',
  description: 'Annealed VAE (Burgess et al.): recon + γ·|KL − C|, C = min(C_max, C_max·step/iterationThreshold)',
  schema: z
    .object({
      gamma: z.number().min(0).default(1000),
      cMax: z.number().min(0).default(25),
      iterationThreshold: z.number().int().min(1).default(100000),
    })
    .strict(),
  create: (p) =>
    gaussianFramework('annealedvae', (ctx, post) => {
      const kl = klMean(post);
      const c = Math.min(p.cMax, (p.cMax * ctx.step) / p.iterationThreshold);
      return { loss: tf.mul(p.gamma, tf.abs(tf.sub(kl, c))) as tf.Scalar, terms: { kl, capacity: tf.scalar(c) } };
    }),
});

register({
  name: 'betatcvae',
  description: 'β-TCVAE (Chen et al.): recon + KL + (β − 1)·TC, TC by minibatch-weighted sampling',
  schema: z.object({ beta: beta.default(6) }).strict(),
  create: (p) =>
    gaussianFramework('betatcvae', (ctx, post, z) => {
      const kl = klMean(post);
      const tc = totalCorrelation(z, post);
      return { loss: tf.add(kl, tf.mul(scheduleValue(p.beta, ctx.step) - 1, tc)) as tf.Scalar, terms: { kl, tc } };
    }),
});

/**
 * TC = E_i[log q(z_i) − Σ_d log q(z_id)], with q(z) ≈ (1/B)Σ_j q(z | x_j) over the minibatch (log-sum-exp).
 * Like disentanglement_lib, the dataset-size constants are dropped (they do not change gradients).
 */
export function totalCorrelation(z: tf.Tensor2D, p: Posterior): tf.Scalar {
  const logQ = logNormal(tf.expandDims(z, 1), tf.expandDims(p.mu, 0), tf.expandDims(p.logvar, 0)); // [B, B, D]
  const logQz = tf.logSumExp(tf.sum(logQ, 2), 1); // [B]
  const logQzProduct = tf.sum(tf.logSumExp(logQ, 1), 1); // [B]
  return tf.mean(tf.sub(logQz, logQzProduct)) as tf.Scalar;
}

function dip(name: 'dipvae1' | 'dipvae2') {
  return (p: { lambdaOd: number; lambdaD?: number }) =>
    gaussianFramework(name, (_ctx, post) => {
      const kl = klMean(post);
      let cov = covariance(post.mu);
      // DIP-VAE-II: Cov(μ) + diag(E[σ²]) (built as eye ⊙ row, which has a gradient; tf.diag has none)
      if (name === 'dipvae2')
        cov = tf.add(
          cov,
          tf.mul(tf.eye(post.mu.shape[1]), tf.expandDims(tf.mean(tf.exp(post.logvar), 0), 0)),
        ) as tf.Tensor2D;
      const D = post.mu.shape[1];
      const eye = tf.eye(D);
      const diag = tf.mul(cov, eye);
      const off = tf.sub(cov, diag);
      const lambdaD = p.lambdaD ?? (name === 'dipvae1' ? 10 * p.lambdaOd : p.lambdaOd);
      const reg = tf.add(
        tf.mul(p.lambdaOd, tf.sum(tf.square(off))),
        tf.mul(lambdaD, tf.sum(tf.square(tf.sub(tf.sum(diag, 1), 1)))),
      );
      return { loss: tf.add(kl, reg) as tf.Scalar, terms: { kl, dip: reg as tf.Scalar } };
    });
}

register({
  name: 'dipvae1',
  description:
    'DIP-VAE-I (Kumar et al.): KL + λ_od Σ_{i≠j} Cov(μ)_ij² + λ_d Σ (Cov(μ)_ii − 1)², λ_d = 10·λ_od by default',
  schema: z.object({ lambdaOd: z.number().min(0).default(10), lambdaD: z.number().min(0).optional() }).strict(),
  create: (p) => dip('dipvae1')(p),
});

register({
  name: 'dipvae2',
  description: 'DIP-VAE-II: as DIP-VAE-I on Cov(μ) + mean diag(σ²), λ_d = λ_od by default',
  schema: z.object({ lambdaOd: z.number().min(0).default(10), lambdaD: z.number().min(0).optional() }).strict(),
  create: (p) => dip('dipvae2')(p),
});

register({
  name: 'infovae',
  description: 'InfoVAE (Zhao et al.): recon + (1 − α)·KL + (α + λ − 1)·MMD(q(z), N(0, I)) with an RBF kernel',
  schema: z.object({ alpha: z.number().default(0), lambda: z.number().default(1000) }).strict(),
  create: (p) =>
    gaussianFramework('infovae', (ctx, post, z) => {
      const kl = klMean(post);
      const prior = tf.randomNormal(z.shape, 0, 1, 'float32', ctx.seed + 7919) as tf.Tensor2D;
      const mmd = mmdRbf(z, prior);
      return {
        loss: tf.add(tf.mul(1 - p.alpha, kl), tf.mul(p.alpha + p.lambda - 1, mmd)) as tf.Scalar,
        terms: { kl, mmd },
      };
    }),
});

/**
 * Ada-GVAE / Ada-ML-VAE (Locatello et al. 2020), weakly supervised on pairs differing in k factors.
 * Dimensions with KL(q₁‖q₂) below the midpoint of [min, max] (per pair) are treated as shared and both
 * posteriors replaced by their average (Ada-GVAE: arithmetic mean of μ and σ²; Ada-ML-VAE: average of the
 * natural parameters, i.e. of precisions and precision-weighted means). Then the β-VAE loss on both.
 */
function adaptive(
  name: 'adagvae' | 'adamlvae',
  p: { beta: z.output<typeof scheduleSchema>; thresholdRatio: number },
): Framework {
  return {
    name,
    batchKind: 'pairs',
    encoderOutputsPerLatent: 2,
    loss(ctx) {
      const B = ctx.x.shape[0] / 2;
      const all = splitPosterior(ctx.model.encode(ctx.x));
      const half = (t: tf.Tensor2D, i: number) => tf.slice(t, [i * B, 0], [B, -1]) as tf.Tensor2D;
      const mu1 = half(all.mu, 0),
        mu2 = half(all.mu, 1),
        lv1 = half(all.logvar, 0),
        lv2 = half(all.logvar, 1);
      const v1 = tf.exp(lv1),
        v2 = tf.exp(lv2);
      // KL(q1 ‖ q2) per dimension
      const kl12 = tf.mul(
        0.5,
        tf.sub(tf.add(tf.sub(lv2, lv1), tf.div(tf.add(v1, tf.square(tf.sub(mu1, mu2))), v2)), 1),
      );
      const mx = tf.max(kl12, 1, true),
        mn = tf.min(kl12, 1, true);
      const threshold = tf.add(mn, tf.mul(p.thresholdRatio, tf.sub(mx, mn)));
      // The shared-dimension mask is a decision, not a differentiable quantity: rebuild it from values so the
      // gradient tape does not try to differentiate the comparison.
      const shared = tf.tensor(tf.less(kl12, threshold).dataSync(), kl12.shape, 'bool');
      let muAvg: tf.Tensor, vAvg: tf.Tensor;
      if (name === 'adagvae') {
        muAvg = tf.mul(0.5, tf.add(mu1, mu2));
        vAvg = tf.mul(0.5, tf.add(v1, v2));
      } else {
        const prec = tf.mul(0.5, tf.add(tf.reciprocal(v1), tf.reciprocal(v2)));
        vAvg = tf.reciprocal(prec);
        muAvg = tf.mul(vAvg, tf.mul(0.5, tf.add(tf.div(mu1, v1), tf.div(mu2, v2))));
      }
      const lvAvg = tf.log(vAvg);
      const post = (mu: tf.Tensor2D, lv: tf.Tensor2D): Posterior => ({
        mu: tf.where(shared, muAvg, mu) as tf.Tensor2D,
        logvar: tf.where(shared, lvAvg, lv) as tf.Tensor2D,
      });
      const p1 = post(mu1, lv1),
        p2 = post(mu2, lv2);
      const x1 = tf.slice(ctx.x, [0, 0, 0, 0], [B, -1, -1, -1]) as tf.Tensor4D;
      const x2 = tf.slice(ctx.x, [B, 0, 0, 0], [B, -1, -1, -1]) as tf.Tensor4D;
      const z1 = sampleNormal(p1, ctx.seed),
        z2 = sampleNormal(p2, ctx.seed + 1);
      const recon = tf.mul(0.5, tf.add(reconMean(ctx, x1, z1), reconMean(ctx, x2, z2))) as tf.Scalar;
      const kl = tf.mul(0.5, tf.add(klMean(p1), klMean(p2))) as tf.Scalar;
      const sharedDims = tf.mean(tf.sum(tf.cast(shared, 'float32'), 1)) as tf.Scalar;
      return {
        loss: tf.add(recon, tf.mul(scheduleValue(p.beta, ctx.step), kl)) as tf.Scalar,
        terms: { recon, kl, sharedDims },
      };
    },
    representation: meanRep,
  };
}

const adaSchema = z.object({ beta: beta.default(1), thresholdRatio: z.number().min(0).max(1).default(0.5) }).strict();
register({
  name: 'adagvae',
  description: 'Ada-GVAE (Locatello et al.): weakly supervised pairs, shared dims averaged',
  schema: adaSchema,
  create: (p) => adaptive('adagvae', p),
});
register({
  name: 'adamlvae',
  description: 'Ada-ML-VAE: as Ada-GVAE, averaging natural parameters',
  schema: adaSchema,
  create: (p) => adaptive('adamlvae', p),
});

/**
 * Decomposition (Mathieu et al., ICML 2019): recon + β·KL(q(z|x) ‖ p(z)) + α·D(q(z), p(z)).
 * KL is analytic for Gaussian priors, else a Monte-Carlo estimate log q(z|x) − log p(z) at the sampled z.
 * D = 'kl': inclusive KL(p ‖ q) with B prior samples and log q(z) = logsumexp_j log q(z | x_j) − log B;
 * D = 'mmd': unbiased MMD with the inverse multiquadric kernel Σ_s Σ_d C_s/(C_s + (x_d − y_d)²), C_s = 2s.
 */
const decompositionSchema = z
  .object({
    beta: beta.default(1),
    alpha: beta.default(0),
    divergence: z.enum(['kl', 'mmd']).default('kl'),
    prior: priorSchema.default({ type: 'isotropic' }),
  })
  .strict();

function imqMmd(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  const n = a.shape[0];
  const k = (x: tf.Tensor2D, y: tf.Tensor2D) => {
    const d2 = tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(y, 0))); // [n, m, D]
    let s: tf.Tensor = tf.zeros([x.shape[0], y.shape[0]]);
    for (const scale of [0.1, 0.2, 0.5, 1, 2, 5]) {
      const c = 2 * scale;
      s = tf.add(s, tf.sum(tf.div(c, tf.add(c, d2)), 2));
    }
    return s;
  };
  const offDiag = tf.sub(1, tf.eye(n));
  const kxx = tf.div(tf.sum(tf.mul(k(a, a), offDiag)), n * (n - 1));
  const kyy = tf.div(tf.sum(tf.mul(k(b, b), offDiag)), n * (n - 1));
  const kxy = tf.div(tf.sum(k(a, b)), n * n);
  return tf.sub(tf.add(kxx, kyy), tf.mul(2, kxy)) as tf.Scalar;
}

register({
  name: 'decomposition',
  description:
    'Decomposition (Mathieu et al.): recon + β·KL(q(z|x)‖p(z)) + α·D(q(z), p(z)), any prior, D = inclusive KL or MMD',
  schema: decompositionSchema,
  create: (p, args) => {
    const prior = makePrior(p.prior, args.zDim, args.data);
    return {
      name: 'decomposition',
      batchKind: 'single',
      encoderOutputsPerLatent: 2,
      extraVariables: () => prior.variables(),
      loss(ctx) {
        const post = splitPosterior(ctx.model.encode(ctx.x));
        const zs = sampleNormal(post, ctx.seed);
        const recon = reconMean(ctx, ctx.x, zs);
        const kl = (
          prior.klFromGaussian
            ? tf.mean(prior.klFromGaussian(post.mu, post.logvar))
            : tf.mean(tf.sub(tf.sum(logNormal(zs, post.mu, post.logvar), 1), prior.logProb(zs)))
        ) as tf.Scalar;
        const B = zs.shape[0];
        let div: tf.Scalar;
        const pz = prior.sample(B, ctx.seed + 104729);
        if (p.divergence === 'kl') {
          const logQ = tf.sub(
            tf.logSumExp(
              tf.sum(logNormal(tf.expandDims(pz, 1), tf.expandDims(post.mu, 0), tf.expandDims(post.logvar, 0)), 2),
              1,
            ),
            Math.log(B),
          );
          div = tf.mean(tf.sub(prior.logProb(pz), logQ)) as tf.Scalar;
        } else {
          div = imqMmd(zs, pz);
        }
        const b = scheduleValue(p.beta, ctx.step),
          a = scheduleValue(p.alpha, ctx.step);
        return {
          loss: tf.add(recon, tf.add(tf.mul(b, kl), tf.mul(a, div))) as tf.Scalar,
          terms: { recon, kl, divergence: div },
        };
      },
      representation: meanRep,
    };
  },
});

/**
 * FactorVAE (Kim & Mnih 2018): recon + KL + γ·TC with TC = mean(logit₀ − logit₁) of a discriminator telling
 * q(z) from the product of its marginals (z with every dimension shuffled across the batch). The
 * discriminator (6 dense layers of 1000, leaky ReLU, 2 logits) has its own Adam (lr 1e-4, β₁ 0.5, β₂ 0.9),
 * stepped in afterStep. Its weights are checkpointed; its Adam moments restart on resume.
 */
register({
  name: 'factorvae',
  description: 'FactorVAE (Kim & Mnih): recon + KL + γ·TC from a density-ratio discriminator',
  schema: z
    .object({
      gamma: beta.default(10),
      discriminatorLr: z.number().positive().default(1e-4),
      hidden: z.number().int().min(1).default(1000),
      layers: z.number().int().min(1).default(6),
    })
    .strict(),
  create: (p, args) => {
    const rng = args.rng.fork('discriminator');
    const sizes = [args.zDim, ...Array(p.layers).fill(p.hidden), 2];
    const weights: tf.Variable[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const bound = 1 / Math.sqrt(sizes[i]);
      weights.push(
        tf.variable(
          tf.tensor2d(rng.fillUniform(new Float32Array(sizes[i] * sizes[i + 1]), -bound, bound), [
            sizes[i],
            sizes[i + 1],
          ]),
          true,
        ),
      );
      weights.push(tf.variable(tf.tensor1d(rng.fillUniform(new Float32Array(sizes[i + 1]), -bound, bound)), true));
    }
    const discriminate = (zz: tf.Tensor2D) => {
      let h: tf.Tensor = zz;
      for (let i = 0; i < weights.length; i += 2) {
        h = tf.add(tf.matMul(h as tf.Tensor2D, weights[i] as tf.Tensor2D), weights[i + 1]);
        if (i + 2 < weights.length) h = tf.leakyRelu(h, 0.2);
      }
      return h as tf.Tensor2D;
    };
    const dOpt = adam(p.discriminatorLr, 0.5, 0.9);
    return {
      name: 'factorvae',
      batchKind: 'single',
      encoderOutputsPerLatent: 2,
      stateVariables: () => weights,
      loss(ctx) {
        const post = splitPosterior(ctx.model.encode(ctx.x));
        const zs = sampleNormal(post, ctx.seed);
        const recon = reconMean(ctx, ctx.x, zs);
        const kl = klMean(post);
        const logits = discriminate(zs);
        const tc = tf.mean(tf.sub(tf.slice(logits, [0, 0], [-1, 1]), tf.slice(logits, [0, 1], [-1, 1]))) as tf.Scalar;
        return {
          loss: tf.add(recon, tf.add(kl, tf.mul(scheduleValue(p.gamma, ctx.step), tc))) as tf.Scalar,
          terms: { recon, kl, tc },
        };
      },
      afterStep(ctx) {
        const zs = tf.tidy(() => sampleNormal(splitPosterior(ctx.model.encode(ctx.x)), ctx.seed + 31));
        const [B, D] = zs.shape;
        // permute each dimension independently across the batch (seeded by the step)
        const r = new Rng(`permute:${ctx.seed}`);
        const zv = zs.dataSync();
        const perm = new Float32Array(zv.length);
        for (let d = 0; d < D; d++) {
          const order = r.shuffle(Array.from({ length: B }, (_, i) => i)) as number[];
          for (let i = 0; i < B; i++) perm[i * D + d] = zv[order[i] * D + d];
        }
        const zp = tf.tensor2d(perm, [B, D]);
        const labels = tf.concat([tf.zeros([B], 'int32'), tf.ones([B], 'int32')]);
        const cost = dOpt.minimize(
          () => {
            const logits = discriminate(tf.concat([zs, zp]) as tf.Tensor2D);
            return tf.mean(
              tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, tf.oneHot(labels, 2)), 1)),
            ) as tf.Scalar;
          },
          true,
          weights,
        )!;
        const v = cost.dataSync()[0];
        [cost, zs, zp, labels].forEach((t) => t.dispose());
        return { discriminator_loss: v };
      },
      representation: meanRep,
      dispose: () => {
        weights.forEach((w) => w.dispose());
        dOpt.dispose();
      },
    };
  },
});

/** Per-latent KL averaged over a batch (active / passive dimensions). */
export function perLatentKl(encoderOutput: tf.Tensor2D): tf.Tensor1D {
  return tf.mean(klPerDim(splitPosterior(encoderOutput)), 0) as tf.Tensor1D;
}
