/**
 * Only the command line ends the process, and always with a named code of the contract (api/constants.ts): the
 * libraries throw errors that carry their kind (api/errors.ts), the CLI's edge maps them.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const ROOMS = ['api', 'random', 'workflow', 'io', 'worker', 'tools', 'operator', 'runner', 'cli'];
const sources = execFileSync('git', ['ls-files', '-co', '--exclude-standard', ...ROOMS.map((r) => `${r}/*.ts`)], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && !f.endsWith('.test.ts'));

describe('exits', () => {
  it('finds the rooms’ sources', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources).toContain('cli/main.ts');
  });

  it('ends the process only in cli/', () => {
    const offenders = sources.filter(
      (f) => !f.startsWith('cli/') && /\bprocess\.exit\s*\(/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('never writes an exit code as a number', () => {
    const literal = /process\.exit(?:Code\s*=\s*|\s*\()\s*\d|return\s+(?:0|1|65|75);\s*\/\/\s*exit/;
    const offenders = sources.filter((f) => literal.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
