import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError } from 'commander';
import {
  defaultAttributeSpread,
  type FixtureSink,
  FixtureSpecError,
  writeFaceFixtures,
} from '../worker/faces/index.ts';
import { paint } from './terminal.ts';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
}

/**
 * Local folders only, until the storage layer's openStore is wired in here (the sink interface is the Store's put).
 */
function folderSink(uri: string): FixtureSink {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new InvalidArgumentError(`only local paths and file:// URIs are supported for now, got ${uri}`);
  }
  const root = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  return {
    put: async (key, body) => {
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
    },
  };
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
    .requiredOption('--out <uri>', 'output folder')
    .action(async (o: { identities: number; perIdentity: number; size: number; seed: number; out: string }) => {
      const spec = { identities: o.identities, perIdentity: o.perIdentity, size: o.size, seed: o.seed };
      try {
        const sink = folderSink(o.out);
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
        if (!(err instanceof FixtureSpecError || err instanceof InvalidArgumentError)) throw err;
        console.error(`${paint.red('error')}: ${err.message}`);
        process.exitCode = 1;
      }
    });
}
