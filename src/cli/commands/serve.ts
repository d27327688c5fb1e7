import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPageDir, openRoots, scan, startServer } from '../../serve/index.js';
import { UserError } from '../../util/errors.js';
import { parseInteger } from '../options.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the web page: datasets, perceived distances, runs and sweeps (live), training in the browser')
    .argument('[dirs...]', 'folders of runs and sweeps to show (read-only)', ['out'])
    .option('--port <n>', 'port (0: any free port)', parseInteger, 8080)
    .option('--host <address>', 'address to listen on; anything but 127.0.0.1 exposes your runs to the network')
    .action(async (dirs: string[], opts: { port: number; host?: string }) => {
      if (opts.port < 0 || opts.port > 65535) throw new UserError(`--port must be 0 … 65535, got ${opts.port}`);
      if (!existsSync(join(defaultPageDir, 'index.html')))
        throw new UserError(`the web page is not built (no ${defaultPageDir}index.html): run \`npm run build\` first`);
      const roots = openRoots(dirs);
      const host = opts.host ?? '127.0.0.1';
      if (!['127.0.0.1', 'localhost', '::1'].includes(host))
        process.stderr.write(
          `warning: listening on ${host}: anyone who can reach this machine on port ${opts.port} can read the served runs (read-only)\n`,
        );
      const { runs, sweeps } = scan(roots);
      for (const r of roots) {
        const mine = (x: { id: string }) => x.id === r.id || x.id.startsWith(`${r.id}/`);
        if (!runs.some(mine) && !sweeps.some(mine))
          process.stderr.write(
            `note: no run or sweep folders under ${r.given} yet; the page shows them when they appear\n`,
          );
      }
      const running = await startServer({ roots, port: opts.port, host });
      console.log(
        `serving ${runs.length} run${runs.length === 1 ? '' : 's'} and ${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'} from ${roots.map((r) => r.given).join(', ')}`,
      );
      console.log(`open ${running.url}  (Ctrl-C to stop)`);
      await new Promise<void>((done) => {
        const stop = () => void running.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
