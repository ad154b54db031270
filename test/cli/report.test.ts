import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { id3, root } from './id3.ts';

describe('id3 report flags', () => {
  it.each([
    { flag: '--pairs <n>', value: 'abc', reason: 'not an integer' },
    { flag: '--pairs <n>', value: '0', reason: 'must be at least 1' },
    { flag: '--max-identities <n>', value: '2.5', reason: 'not an integer' },
    { flag: '--max-identities <n>', value: '-1', reason: 'must be at least 1' },
    { flag: '--input-size <px>', value: 'big', reason: 'not an integer' },
    { flag: '--embedding-size <n>', value: '0x80', reason: 'not an integer' },
    { flag: '--channel-order <order>', value: 'GBR', reason: 'must be RGB or BGR' },
    { flag: '--encoder-format <format>', value: 'tflite', reason: 'must be layers or graph or onnx' },
    { flag: '--mean <a,b,c>', value: '0.5,0.5', reason: 'must be 3 comma-separated numbers' },
    { flag: '--mean <a,b,c>', value: '0.5,x,0.5', reason: 'must be 3 comma-separated numbers' },
    { flag: '--std <a,b,c>', value: '0.5,0.5,0.5,0.5', reason: 'must be 3 comma-separated numbers' },
    { flag: '--std <a,b,c>', value: '0.5,0,0.5', reason: 'each number must be greater than 0' },
    { flag: '--std <a,b,c>', value: '0.5,-1,0.5', reason: 'each number must be greater than 0' },
  ])('rejects $flag $value with exit 65 and writes nothing', ({ flag, value, reason }) => {
    const set = join(mkdtempSync(join(tmpdir(), 'id3-report-')), 'set');
    const r = id3('report', set, flag.split(' ')[0]!, value);
    expect(r.out).toContain(`option '${flag}' argument '${value}' is invalid. ${reason}`);
    expect(r.code).toBe(65);
    expect(existsSync(set)).toBe(false);
  });

  it('refuses encoder input flags without --encoder, whose model they describe', () => {
    const set = join(mkdtempSync(join(tmpdir(), 'id3-report-')), 'set');
    const r = id3('report', set, '--channel-order', 'BGR', '--input-size', '112');
    expect(r.out).toContain('error: --input-size, --channel-order describe the model of --encoder, which is not given');
    expect(r.code).toBe(65);
  });

  it('documents the encoder input flags and their defaults in --help', () => {
    const help = id3('report', '--help').out.replace(/\s+/g, ' ');
    expect(help).toContain('--channel-order <order>');
    expect(help).toContain('(default: "RGB")');
    expect(help).toMatch(/--mean <a,b,c> .*\(default: 0\.5,0\.5,0\.5\)/);
    expect(help).toMatch(/--std <a,b,c> .*\(default: 0\.5,0\.5,0\.5\)/);
  });

  describe('with the bundled encoder', () => {
    let dir: string;
    const encoder = ['--encoder', join(root, 'models', 'face-encoder', 'model.json')];
    const sizes = ['--input-size', '32', '--embedding-size', '128'];
    const report = (name: string, ...flags: string[]) => {
      const r = id3('report', join(dir, 'faces'), ...encoder, ...sizes, '--out', join(dir, name), ...flags);
      expect(r.out).toContain('report: metrics.json');
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(join(dir, name, 'metrics.json'), 'utf8'));
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'id3-report-'));
      const r = id3('fixtures', 'faces', '--identities', '3', '--per-identity', '2', '--out', join(dir, 'faces'));
      expect(r.code).toBe(0);
    });

    it('passes --channel-order, --mean and --std to the encoder; their defaults are RGB and 0.5', () => {
      const defaults = report('defaults').metrics;
      const explicit = report('explicit', '--channel-order', 'RGB', '--mean', '0.5,0.5,0.5', '--std', '0.5,0.5,0.5');
      const other = report('other', '--channel-order', 'BGR', '--mean', '0.1,0.5,0.9', '--std', '0.2,0.5,1').metrics;
      expect(defaults).toMatchObject({ identities: 3, images: 6 });
      expect(explicit.metrics).toEqual(defaults);
      expect(other.centroidConsistency).not.toBeCloseTo(defaults.centroidConsistency, 6);
      expect(other.intraClassDiversity).not.toBeCloseTo(defaults.intraClassDiversity, 6);
    });

    it('uses --pairs and --max-identities', () => {
      const { options, metrics } = report('sampled', '--pairs', '5', '--max-identities', '2');
      expect(options).toMatchObject({ pairs: 5, maxIdentities: 2 });
      expect(metrics.identities).toBe(2);
    });
  });
});
