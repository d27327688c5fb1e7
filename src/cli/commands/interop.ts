import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { UserError } from '../../util/errors.js';
import { parsePositiveInteger, startEngine, withEngineOptions } from '../options.js';

/** An output file: the extension asked for, and never someone's existing file. */
function checkNewFile(flag: string, path: string, exts: string[]): string {
  const ext = extname(path).toLowerCase();
  if (!exts.includes(ext)) throw new UserError(`${flag} must name a ${exts.join(' or ')} file, got '${path}'`);
  if (existsSync(path))
    throw new UserError(`${flag} ${path} already exists: refusing to overwrite it; remove it or choose another name`);
  return ext;
}

export function registerInterop(program: Command): void {
  withEngineOptions(
    program
      .command('export')
      .description(
        "a run's weights as a PyTorch state dict (.safetensors, disent's module names) or its encoder/decoder as ONNX",
      )
      .argument('<run-dir>', 'a run folder (architecture conv64-disent)')
      .requiredOption(
        '--to <file>',
        'F.safetensors (the whole model) or F.onnx (the encoder; --decoder for the decoder)',
      )
      .option('--decoder', 'with --to F.onnx: export the decoder instead of the encoder'),
  ).action(async (dir: string, opts) => {
    const ext = checkNewFile('--to', opts.to, ['.safetensors', '.onnx']);
    if (opts.decoder && ext !== '.onnx')
      throw new UserError('--decoder goes with --to F.onnx (a .safetensors file holds both halves)');
    const { checkRunFolder } = await import('../../train/folder-checks.js');
    checkRunFolder(dir);
    await startEngine(opts);
    const interop = await import('../../interop/index.js');
    if (ext === '.onnx') {
      const part = opts.decoder ? 'decoder' : 'encoder';
      const r = await interop.exportOnnx(dir, opts.to, part);
      console.log(
        `wrote ${opts.to}: the ${part} of ${dir} at step ${r.step}, ONNX opset ${interop.ONNX_OPSET}, ${r.nodes} nodes`,
      );
    } else {
      const r = await interop.exportSafetensors(dir, opts.to);
      console.log(
        `wrote ${opts.to}: ${r.keys} tensors of ${dir} at step ${r.step} (disent's state-dict keys; config in __metadata__)`,
      );
    }
  });

  withEngineOptions(
    program
      .command('import')
      .description('a run folder from a PyTorch state dict in safetensors (a model made or trained in PyTorch)')
      .argument('<file>', "F.safetensors with the keys of disent's AutoEncoder(EncoderConv64, DecoderConv64)")
      .requiredOption(
        '--config <file.json>',
        'the run config the model fits (dataset, framework, model), as `train --config` takes',
      )
      .requiredOption('--out <dir>', 'the new run folder'),
  ).action(async (file: string, opts) => {
    const { checkNewRunFolder } = await import('../../train/folder-checks.js');
    checkNewRunFolder(opts.out);
    await startEngine(opts);
    const { importSafetensors } = await import('../../interop/index.js');
    const r = await importSafetensors(file, opts.config, opts.out);
    console.log(
      `imported ${r.keys} tensors into ${r.dir} (${r.architecture}, z = ${r.z}, step 0): ` +
        `evaluate, diagnose, encode and serve take it; fine-tune with \`disentangle train --resume ${r.dir} --steps N\``,
    );
  });

  withEngineOptions(
    program
      .command('encode')
      .description("a run's encoder outputs for the images of an .npz: means, logvars (N×z float32), and decoded")
      .argument('<run-dir>', 'a run folder')
      .requiredOption(
        '--data <file.npz>',
        "images: 'images' uint8 N×H×W×C (as `data export` writes) or float in [0, 1]",
      )
      .requiredOption('--out <codes.npz>', 'output file')
      .option(
        '--decode',
        "also 'decoded': the decoder's raw output for the means (N×H×W×C float32, before any sigmoid)",
      )
      .option('--batch <n>', 'images per batch', parsePositiveInteger, 256),
  ).action(async (dir: string, opts) => {
    checkNewFile('--out', opts.out, ['.npz']);
    if (!existsSync(opts.data)) throw new UserError(`--data ${opts.data}: no such file`);
    const { checkRunFolder } = await import('../../train/folder-checks.js');
    checkRunFolder(dir);
    await startEngine(opts);
    const { encodeNpz } = await import('../../interop/index.js');
    const r = await encodeNpz(dir, opts.data, opts.out, { decode: !!opts.decode, batch: opts.batch });
    console.log(`wrote ${opts.out}: ${r.arrays.join(', ')} for ${r.n} images (z = ${r.z})`);
  });
}
