/** AE: a deterministic autoencoder, z = encoder output; loss = recon(x, decode(z)). */
import { z } from 'zod';
import { defineFramework } from './define.js';
import { reconMean } from './common.js';

export const ae = defineFramework({
  name: 'ae',
  description: 'deterministic autoencoder (z = encoder output)',
  schema: z.object({}).strict(),
  create: () => ({
    name: 'ae',
    batchKind: 'single',
    encoderOutputsPerLatent: 1,
    loss(ctx) {
      const zs = ctx.model.encode(ctx.x);
      const recon = reconMean(ctx, ctx.x, zs);
      return { loss: recon, terms: { recon } };
    },
    representation: (h) => h,
  }),
});
