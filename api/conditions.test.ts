import { describe, expect, it } from 'vitest';
import { Reason, setCondition } from './conditions.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('setCondition', () => {
  it('adds a condition with the transition time', () => {
    const got = setCondition(
      [],
      { type: 'Running', status: 'True', reason: Reason.StageRunning, message: 'plan' },
      1,
      t0,
    );
    expect(got).toEqual([
      {
        type: 'Running',
        status: 'True',
        observedGeneration: 1,
        lastTransitionTime: t0.toISOString(),
        reason: 'StageRunning',
        message: 'plan',
      },
    ]);
  });

  it('keeps lastTransitionTime when the status does not change, refreshing message and generation', () => {
    const first = setCondition(
      [],
      { type: 'Running', status: 'True', reason: Reason.StageRunning, message: 'plan' },
      1,
      t0,
    );
    const got = setCondition(
      first,
      { type: 'Running', status: 'True', reason: Reason.StageRunning, message: 'generate' },
      2,
      t1,
    );
    expect(got[0]).toMatchObject({ lastTransitionTime: t0.toISOString(), message: 'generate', observedGeneration: 2 });
  });

  it('moves lastTransitionTime when the status changes, and keeps the order of the others', () => {
    let list = setCondition([], { type: 'Running', status: 'True', reason: Reason.StageRunning, message: '' }, 1, t0);
    list = setCondition(list, { type: 'Suspended', status: 'False', reason: Reason.Resumed, message: '' }, 1, t0);
    const got = setCondition(list, { type: 'Running', status: 'False', reason: Reason.Completed, message: '' }, 1, t1);
    expect(got.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Running', 'False', t1.toISOString()],
      ['Suspended', 'False', t0.toISOString()],
    ]);
  });

  it('does not modify its input', () => {
    const first = setCondition(
      [],
      { type: 'Running', status: 'True', reason: Reason.StageRunning, message: '' },
      1,
      t0,
    );
    setCondition(first, { type: 'Running', status: 'False', reason: Reason.Completed, message: '' }, 1, t1);
    expect(first[0]?.status).toBe('True');
  });
});
