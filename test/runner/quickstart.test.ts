import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

/**
 * The README's main command on the bundled model (models/id3-faces-32), made small: the quickstart manifest itself
 * with fewer identities, images and sampler steps, so that a broken bundle, a checkpoint the loader no longer reads,
 * an encoder path that no longer resolves or samples that lost their identity fail here rather than in a new user's
 * first minute.
 */

const root = join(import.meta.dirname, '..', '..');

describe('the quickstart on the bundled model', { timeout: 300_000 }, () => {
  it('generates a labelled dataset with its card and report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-quickstart-'));
    const manifest = parse(readFileSync(join(root, 'examples', 'quickstart.yaml'), 'utf8'));
    const out = join(dir, 'out');
    manifest.spec = {
      ...manifest.spec,
      model: { checkpointURI: join(root, 'models', 'id3-faces-32') },
      identities: 4,
      imagesPerIdentity: 2,
      embeddingsPerIdentity: 2,
      sampler: { ...manifest.spec.sampler, steps: 10, batchSize: 8 },
      sharding: { shards: 1, parallelism: 1 },
      output: { uri: out, identitiesPerTar: 4 },
      quality: { pairs: 16 },
    };
    const file = join(dir, 'quickstart.yaml');
    writeFileSync(file, stringify(manifest));

    const child = spawn(process.execPath, [join(root, 'bin', 'id3.js'), 'run', file, '--no-progress'], {
      env: { ...process.env, NO_COLOR: '1', ID3_LOG_LEVEL: 'warn' },
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, log).toBe(0);

    const card = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(card.counts).toMatchObject({ identities: 4, images: 8 });
    // The card names the bundled model and the encoder it was trained with, resolved from the bundle's own folder.
    expect(JSON.stringify(card.model)).toContain('id3-faces-32');
    expect(JSON.stringify(card)).toContain('face-encoder');
    // embeddingSpace data plans in whitened coordinates; the plan also records how apart the identities are for the
    // encoder, after the map.
    const plan = JSON.parse(readFileSync(join(out, 'plan', 'plan.json'), 'utf8'));
    expect(plan.embeddingSpace).toBe('data');
    expect(plan.anchors.encoderSpaceMaxCosine).toBeGreaterThan(-1);
    expect(plan.anchors.encoderSpaceMaxCosine).toBeLessThan(0.99);
    const metrics = JSON.parse(readFileSync(join(out, 'report', 'metrics.json'), 'utf8')).metrics;
    expect(metrics).toMatchObject({ identities: 4, images: 8 });
    // Samples carry their requested identity: the bundled model scores about 0.55 (its model card); off-distribution
    // conditions or a broken sampler give noise, which scores about 0.05.
    expect(metrics.identityConsistency).toBeGreaterThan(0.3);
    expect(existsSync(join(out, 'report', 'contact-sheet.png'))).toBe(true);
  });
});
