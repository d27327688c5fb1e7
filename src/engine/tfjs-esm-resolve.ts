/**
 * A Node module-resolution hook for tfjs-core's ES-module files: they import each other without file
 * extensions (`./gradients/Abs_grad`), which bundlers accept and Node's ESM loader does not. Only
 * `dist/register_all_gradients.js` needs it (tfjs-core's Node bundle has no gradients); see ./gradients.ts.
 */
type Resolved = { url: string };
type Next = (specifier: string, context: { parentURL?: string }) => Promise<Resolved>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next): Promise<Resolved> {
  if (
    specifier.startsWith('.') &&
    !/\.m?js$/.test(specifier) &&
    context.parentURL?.includes('/@tensorflow/tfjs-core/dist/')
  ) {
    // `./gradients` is both a file (gradients.js) and a folder there: the file is meant
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
  return next(specifier, context);
}
