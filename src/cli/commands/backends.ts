import type { Command } from 'commander';
import { backends } from '../../engine/registry.js';

export function registerBackends(program: Command): void {
  program
    .command('backends')
    .description('list the tensor backends and whether each can start here')
    .option('--json', 'print one JSON array')
    .action(async (opts: { json?: boolean }) => {
      const rows = [];
      for (const p of await backends.all()) {
        const name = p.name;
        const reason = p.unavailableReason ? await p.unavailableReason() : null;
        rows.push({ name, description: p.description, available: reason === null, reason });
      }
      if (opts.json) console.log(JSON.stringify(rows));
      else
        for (const r of rows)
          console.log(
            `${r.name.padEnd(6)} ${r.available ? 'yes' : 'no '}  ${r.description}${r.reason ? ` — ${r.reason}` : ''}`,
          );
    });
}
