/**
 * The control planes carry none of the data plane's weight: the operator's entry point and `id3 run`'s preflight
 * load neither TensorFlow.js (nor its backends, nor Dawn) nor sharp — so the operator image can leave them out, and a
 * preflight answers in a moment. Measured by importing each entry point in a fresh process and recording every
 * package the module loader resolves; the worker's entry is the control that shows the measure sees them.
 */
import { describe, expect, it } from 'vitest';
import { packagesLoadedBy } from './loaded-modules.ts';

const HEAVY = /^(@tensorflow\/|sharp$|@img\/|webgpu$)/;

describe('what each entry point loads', () => {
  it.each([
    ['the operator', 'operator/main.ts'],
    ['the operator command', 'cli/operator.ts'],
    ["id3 run's preflight", 'runner/preflight.ts'],
    ['the local runner', 'runner/index.ts'],
  ])('%s (%s) loads neither TensorFlow.js nor sharp', (_, entry) => {
    const heavy = packagesLoadedBy(entry).filter((p) => HEAVY.test(p));
    expect(heavy).toEqual([]);
  });

  it('sees TensorFlow.js and sharp where they are loaded (the worker stages)', () => {
    const loaded = packagesLoadedBy('worker/stages/index.ts');
    expect(loaded).toContain('@tensorflow/tfjs');
    expect(loaded).toContain('sharp');
  });
});
