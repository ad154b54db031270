import { describe, expect, it } from 'vitest';
import { createView } from './view.ts';

describe('the plain progress view', () => {
  it('says what its numbers count, also when a stage sized in tasks starts reporting images', () => {
    const lines: string[] = [];
    const view = createView(false, (l) => lines.push(l));
    view.stageStarted('faces', 'prepare', 2, 'tasks');
    view.update('faces', 'prepare', 500, 10_000, 50, 'images');
    view.stageFinished('faces', 'prepare', 'done');
    expect(lines).toEqual([
      'faces prepare: started (2 tasks)',
      'faces prepare: 500/10000 images at 50.00/s, ETA 3m',
      'faces prepare: done',
    ]);
  });

  it('prints nothing new while nothing moved', () => {
    const lines: string[] = [];
    const view = createView(false, (l) => lines.push(l));
    view.update('faces', 'generate', 0, 100, 0, 'images');
    view.update('faces', 'generate', 0, 100, 0, 'images');
    expect(lines).toHaveLength(1);
  });
});
