import { isAbsolute, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { defaultAttributeSpread, FixtureSpecError, writeFaceFixtures } from '../worker/faces/index.ts';
import { openStore, StorageError } from '../worker/storage/index.ts';
import { paint } from './terminal.ts';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
}

/** Local paths are relative to the working folder; s3:// takes its endpoint and keys from the environment. */
function outputUri(out: string): string {
  return out.includes('://') || isAbsolute(out) ? out : resolve(out);
}

export function registerFixtures(program: Command): void {
  const fixtures = program.command('fixtures').description('Generate test data for the pipeline.');
  fixtures
    .command('faces')
    .description(
      'Render a labelled set of procedural faces as an image folder (images/IDENTITY/IMAGE.png + attributes.jsonl + labels.jsonl) that an ID3TrainingJob reads with dataset.format imagefolder.',
    )
    .requiredOption('--identities <n>', 'number of identities', integer)
    .requiredOption('--per-identity <n>', 'pictures per identity', integer)
    .option('--size <px>', 'picture side in pixels', integer, 32)
    .option('--seed <n>', 'set seed: the same seed gives the same people and pictures', integer, 1)
    .requiredOption('--out <uri>', 'output folder: a local path, file:// or s3://bucket/prefix')
    .action(async (o: { identities: number; perIdentity: number; size: number; seed: number; out: string }) => {
      const spec = { identities: o.identities, perIdentity: o.perIdentity, size: o.size, seed: o.seed };
      try {
        const sink = openStore(outputUri(o.out));
        let last = 0;
        const { images } = await writeFaceFixtures({ ...spec, spread: defaultAttributeSpread }, sink, (p) => {
          if (process.stderr.isTTY && (p.done - last >= 50 || p.done === p.total)) {
            last = p.done;
            process.stderr.write(`\rrendered ${p.done}/${p.total}`);
          }
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        console.log(paint.green(`wrote ${images} faces of ${spec.identities} identities to ${o.out}`));
      } catch (err) {
        if (!(err instanceof FixtureSpecError || err instanceof StorageError)) throw err;
        console.error(`${paint.red('error')}: ${err.message}`);
        process.exitCode = 1;
      }
    });
}
