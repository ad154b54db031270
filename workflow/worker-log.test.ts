import { describe, expect, it } from 'vitest';
import { workerErrorFromLog } from './worker-log.ts';

describe('workerErrorFromLog', () => {
  it.each([
    {
      name: 'the last error line of a JSON log',
      given:
        '{"level":30,"msg":"task started"}\n{"level":50,"err":"checkpoint s3://m/c: no committed checkpoint","msg":"task failed"}\n',
      want: 'task failed: checkpoint s3://m/c: no committed checkpoint',
    },
    { name: 'plain output', given: 'Segmentation fault\n', want: 'Segmentation fault' },
    { name: 'nothing', given: '', want: 'the worker exited without a message' },
  ])('$name', ({ given, want }) => {
    expect(workerErrorFromLog(given)).toBe(want);
  });
});
