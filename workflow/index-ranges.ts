/**
 * Compressed index ranges, the format batch/v1 Job status uses for completedIndexes ("0-3,5,7-9"): status stays
 * bounded in size whatever the shard count.
 */

export function compressIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseIndexes(text: string | undefined): number[] {
  if (!text) return [];
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new SyntaxError(`not an index range: ${JSON.stringify(part)}`);
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    for (let k = start; k <= end; k++) out.push(k);
  }
  return out;
}
