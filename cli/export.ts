import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK, PermanentInputError, type StorageSpec } from '../api/index.ts';

interface ExportFlags {
  format: string;
  out: string;
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  concurrency: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Convert a finished dataset (WebDataset shards + manifest.json) to a folder per identity (images/000123/007.png ' +
        '+ attributes.jsonl) or to insightface RecordIO (train.rec, train.idx, property). S3 credentials and endpoint ' +
        'come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_ENDPOINT_URL_S3. ' +
        'Exit codes: 0 done, 65 bad input (no dataset there, wrong credentials), 1 failed (storage unavailable).',
    )
    .argument('<dataset>', 'dataset root: s3://bucket/prefix, file:///path or a path')
    .requiredOption('--format <format>', 'imagefolder or recordio')
    .requiredOption('--out <uri>', 'where to write: s3://bucket/prefix, file:///path or a path')
    .option('--region <region>', 'S3 region (default: AWS_REGION, else us-east-1)')
    .option('--endpoint <url>', 'S3 endpoint URL (AWS_ENDPOINT_URL_S3 overrides it)')
    .option('--path-style', 'address buckets as ENDPOINT/BUCKET (default: whenever an endpoint is set)')
    .option('--concurrency <n>', 'objects written at once (imagefolder)', '16')
    .action(async (dataset: string, flags: ExportFlags) => {
      process.exitCode = await runExport(dataset, flags);
    });
}

async function runExport(dataset: string, flags: ExportFlags): Promise<number> {
  if (flags.format !== 'imagefolder' && flags.format !== 'recordio')
    throw new PermanentInputError(`--format must be imagefolder or recordio, not ${JSON.stringify(flags.format)}`);
  const [{ openStore }, { exportDataset }] = await Promise.all([
    import('../io/storage/index.ts'),
    import('../worker/dataset/index.ts'),
  ]);
  const storage: Partial<StorageSpec> = {};
  if (flags.region) storage.region = flags.region;
  if (flags.endpoint) storage.endpoint = flags.endpoint;
  if (flags.pathStyle) storage.forcePathStyle = true;
  const source = openStore(localToAbsolute(dataset), storage);
  const out = openStore(localToAbsolute(flags.out), storage);
  const summary = await exportDataset({
    source,
    out,
    format: flags.format,
    concurrency: Number(flags.concurrency),
  });
  process.stderr.write(
    `exported ${summary.images} images of ${summary.classes} identities as ${summary.format} to ${out.root}\n`,
  );
  return EXIT_OK;
}

/** The command line is where relative paths get their meaning: the current directory. */
function localToAbsolute(uri: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : resolve(uri);
}
