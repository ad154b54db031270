import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('createLogger', () => {
  it('writes JSON lines with the level as a number and as a name', () => {
    const script = `import { createLogger } from ${JSON.stringify(join(import.meta.dirname, 'logger.ts'))};
      const log = createLogger({ format: 'json', base: { component: 't' } });
      log.info({ n: 1 }, 'hello'); log.warn('careful');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ID3_LOG_FORMAT: 'json', ID3_LOG_LEVEL: 'info' },
    });
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.level, l.levelName, l.msg])).toEqual([
      [30, 'info', 'hello'],
      [40, 'warn', 'careful'],
    ]);
    expect(lines[0]).toMatchObject({ component: 't', n: 1 });
  });
});
