import { DatasetFormatError } from './errors.ts';

/** JSON Lines: one compact JSON value per line, each line ending in `\n`. */
export function encodeJsonl(values: Iterable<unknown>): Uint8Array {
  let text = '';
  for (const v of values) text += `${JSON.stringify(v)}\n`;
  return Buffer.from(text, 'utf8');
}

/** Parses JSON Lines; blank lines are skipped, a bad line fails with its line number. */
export function parseJsonl<T = unknown>(bytes: Uint8Array | string, where: string): T[] {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch (err) {
      throw new DatasetFormatError(`${where}:${i + 1}`, `invalid JSON: ${(err as Error).message}`, err);
    }
  }
  return out;
}
