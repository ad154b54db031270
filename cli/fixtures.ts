import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../io/storage/index.ts';
import { defaultAttributeSpread, FixtureSpecError, writeFaceFixtures } from '../tools/faces/index.ts';
import { integer } from './options.ts';
import { paint } from './terminal.ts';

/** The spec's fields as the flags that set them, for messages. */
const FLAGS: Record<string, string> = {
  identities: '--identities',
  perIdentity: '--per-identity',
  size: '--size',
  seed: '--seed',
};

/** "perIdentity must be …" → "--per-identity must be …": the user typed the flag, not the spec's field. */
function inFlagTerms(message: string): string {
  return message.replace(/^(\w+)(?= )/, (field) => FLAGS[field] ?? field);
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
    .requiredOption('--identities <n>', 'number of identities (required)', integer())
    .requiredOption('--per-identity <n>', 'pictures per identity (required)', integer())
    .option('--size <px>', 'picture side in pixels', integer(), 32)
    .option('--seed <n>', 'set seed: the same seed gives the same people and pictures', integer(), 1)
    .requiredOption('--out <uri>', 'output folder: a local path, file:// or s3://bucket/prefix (required)')
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
        // The user typed flags, not the spec's fields; storage errors say what they are by themselves.
        throw err instanceof FixtureSpecError ? new FixtureSpecError(inFlagTerms(err.message)) : err;
      }
    });
}
