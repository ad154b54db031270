import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { EXIT_OK, type IdentityEncoderSpec, PermanentInputError } from '../api/index.ts';
import { numberList, oneOf, positiveInteger } from './options.ts';

interface ReportFlags {
  encoder?: string;
  encoderFormat: IdentityEncoderSpec['format'];
  inputSize: number;
  embeddingSize: number;
  channelOrder: IdentityEncoderSpec['channelOrder'];
  mean: number[];
  std: number[];
  out?: string;
  maxIdentities?: number;
  pairs?: number;
  endpoint?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'Measure a labelled image set — a finished dataset, a labelled image folder or an exported image folder — and write report/ (metrics.json, index.html, contact-sheet.png).',
    )
    .argument('<uri>', 'the set: a local path or s3://bucket/prefix')
    .option(
      '--encoder <uri>',
      'the identity encoder that measures: its model.json, or a .onnx file (default: the one that guided the dataset)',
    )
    .option('--encoder-format <format>', 'layers, graph or onnx', oneOf('layers', 'graph', 'onnx'), 'layers')
    .option('--input-size <px>', "the encoder's input size", positiveInteger, 112)
    .option('--embedding-size <n>', "the encoder's embedding size", positiveInteger, 512)
    .option('--channel-order <order>', 'the channel order the encoder expects: RGB or BGR', oneOf('RGB', 'BGR'), 'RGB')
    .addOption(
      new Option('--mean <a,b,c>', "per-channel mean subtracted from pixels in [0, 1], in the encoder's channel order")
        .argParser(numberList(3))
        .default([0.5, 0.5, 0.5], '0.5,0.5,0.5'),
    )
    .addOption(
      new Option('--std <a,b,c>', 'per-channel standard deviation (> 0) that divides pixels after the mean')
        .argParser(numberList(3, { above: 0 }))
        .default([0.5, 0.5, 0.5], '0.5,0.5,0.5'),
    )
    .option('--out <uri>', 'where report/ goes (default: inside the set)')
    .option('--max-identities <n>', 'identities measured (a deterministic sample of larger sets)', positiveInteger)
    .option('--pairs <n>', 'genuine and impostor pairs each', positiveInteger)
    .option('--endpoint <url>', 'S3 endpoint for s3:// URIs (or AWS_ENDPOINT_URL_S3)')
    .action(async (uri: string, flags: ReportFlags, cmd: Command) => {
      // The encoder flags describe --encoder's model; without it the dataset's own encoder spec applies.
      const orphans = ENCODER_FLAGS.filter((f) => cmd.getOptionValueSource(f) === 'cli');
      if (!flags.encoder && orphans.length > 0) {
        const names = orphans.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
        throw new PermanentInputError(`${names.join(', ')} describe the model of --encoder, which is not given`);
      }
      process.exitCode = await runReport(uri, flags);
    });
}

const ENCODER_FLAGS = ['encoderFormat', 'inputSize', 'embeddingSize', 'channelOrder', 'mean', 'std'] as const;

async function runReport(uri: string, flags: ReportFlags): Promise<number> {
  const [{ reportOn }, { openStore }, { paint }, { selectBackend }] = await Promise.all([
    import('../worker/reporting/index.ts'),
    import('../io/storage/index.ts'),
    import('./terminal.ts'),
    import('../worker/tf/index.ts'),
  ]);
  // The best backend this machine has (ID3_TF_BACKEND overrides), as the workers choose it; without this the
  // encoder would run on tfjs's plain-JavaScript backend.
  await selectBackend();
  const storage = flags.endpoint ? { endpoint: flags.endpoint } : undefined;
  const open = (u: string) => openStore(u.includes('://') ? u : resolve(u), storage);
  const encoder = encoderSpec(flags);
  const result = await reportOn({
    store: open(uri),
    open,
    ...(encoder ? { encoder } : {}),
    ...(flags.out ? { out: open(flags.out) } : {}),
    ...(flags.maxIdentities !== undefined ? { maxIdentities: flags.maxIdentities } : {}),
    ...(flags.pairs !== undefined ? { pairs: flags.pairs } : {}),
    now: new Date(),
  });
  const m = result.metrics;
  const line = (k: string, v: number | null) =>
    process.stdout.write(`  ${k.padEnd(22)} ${v === null ? '—' : v.toFixed(4)}\n`);
  process.stdout.write(
    `${paint.bold(`${m.identities} identities, ${m.images} images`)} measured with ${result.encoder}\n`,
  );
  line('identity consistency', m.identityConsistency);
  line('centroid consistency', m.centroidConsistency);
  line('intra-class diversity', m.intraClassDiversity);
  line('nearest identity (mean)', m.interClass.nearestCosine.mean);
  line('EER', m.separability.eer);
  line("d'", m.separability.dPrime);
  line('label-flip rate', m.labelFlipRate);
  process.stdout.write(`report: ${result.files.join(', ')} in ${result.location}\n`);
  return EXIT_OK;
}

/** The encoder --encoder and its flags describe, or undefined to measure with the one the dataset records. */
function encoderSpec(flags: ReportFlags): IdentityEncoderSpec | undefined {
  if (!flags.encoder) return undefined;
  return {
    uri: flags.encoder.includes('://') ? flags.encoder : resolve(flags.encoder),
    format: flags.encoderFormat,
    inputSize: flags.inputSize,
    embeddingSize: flags.embeddingSize,
    channelOrder: flags.channelOrder,
    mean: flags.mean,
    std: flags.std,
  };
}
