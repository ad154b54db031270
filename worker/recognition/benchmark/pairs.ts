/**
 * Pairs files that name images in a folder, parsed and written as text (no I/O here):
 *
 * - LFW's `pairs.txt` (view 2 of Labeled Faces in the Wild): a header `folds pairs-per-fold` (`10 300`), then per
 *   fold that many same-person lines `name i j` and as many different-people lines `name1 i name2 j`; image i of a
 *   person is `name/name_000i.jpg`. The label comes from the number of fields, as every LFW reader takes it.
 * - insightface's `pairs_label.txt` (read by `arcface_mxnet/common/build_eval_pack.py`): lines `path1 path2 label`,
 *   paths relative to the image folder, label 1 (same) or 0 (different).
 *
 * Pairs keep the file's order: the protocol's folds are contiguous runs of pairs in that order.
 */
import { BenchmarkFormatError } from './errors.ts';

/** A pair of images named relative to the image folder; `line` is its 1-based line in the pairs file. */
export interface PathPair {
  a: string;
  b: string;
  same: boolean;
  line: number;
}

export interface ParsedPairs {
  format: 'lfw' | 'labels';
  pairs: PathPair[];
  /** LFW's header, when the file has one. */
  folds?: number;
  pairsPerFold?: number;
}

/** One picture of a person in the LFW layout. */
export interface LfwImage {
  name: string;
  /** 1-based, as in LFW's file names. */
  index: number;
}

export function lfwImagePath(image: LfwImage): string {
  return `${image.name}/${image.name}_${String(image.index).padStart(4, '0')}.jpg`;
}

interface Line {
  fields: string[];
  line: number;
}

function lines(text: string): Line[] {
  return text
    .split(/\r?\n/)
    .map((s, k) => ({ fields: s.trim().split(/\s+/).filter(Boolean), line: k + 1 }))
    .filter((l) => l.fields.length > 0);
}

const POSITIVE = /^[1-9][0-9]*$/;

function failAt(source: string, line: number, reason: string): never {
  throw new BenchmarkFormatError(`${source}:${line}: ${reason}`, line);
}

/** LFW's format when the first line is two integers, insightface's label list otherwise. */
export function parsePairs(text: string, source = 'pairs.txt'): ParsedPairs {
  const first = lines(text)[0];
  const header = first && first.fields.length === 2 && first.fields.every((f) => /^[0-9]+$/.test(f));
  return header ? parseLfwPairs(text, source) : parseLabelPairs(text, source);
}

export function parseLfwPairs(text: string, source = 'pairs.txt'): ParsedPairs {
  const [header, ...rest] = lines(text);
  if (header?.fields.length !== 2 || !header.fields.every((f) => POSITIVE.test(f)))
    failAt(source, header?.line ?? 1, "expected the header 'folds pairs-per-fold' (LFW's is '10 300')");
  const [folds, perFold] = header.fields.map(Number) as [number, number];
  const pairs = rest.map((l) => lfwLine(l, source));
  if (pairs.length !== folds * 2 * perFold)
    failAt(source, header.line, `the header promises ${folds} × 2 × ${perFold} pairs; the file has ${pairs.length}`);
  return { format: 'lfw', pairs, folds, pairsPerFold: perFold };
}

function lfwLine({ fields, line }: Line, source: string): PathPair {
  if (fields.length !== 3 && fields.length !== 4)
    failAt(
      source,
      line,
      `expected 'name i j' (same person) or 'name1 i name2 j' (two people), found ${fields.length} fields`,
    );
  const [n1, i, n2, j] = fields.length === 3 ? [fields[0]!, fields[1]!, fields[0]!, fields[2]!] : fields;
  const a = lfwImage(n1!, i!, source, line);
  const b = lfwImage(n2!, j!, source, line);
  if (fields.length === 4 && a.name === b.name)
    failAt(source, line, `a two-people line names ${a.name} twice; write a same-person pair as '${a.name} i j'`);
  return { a: lfwImagePath(a), b: lfwImagePath(b), same: fields.length === 3, line };
}

function lfwImage(name: string, index: string, source: string, line: number): LfwImage {
  if (!safeSegment(name)) failAt(source, line, `'${name}' is not a usable folder name`);
  if (!POSITIVE.test(index)) failAt(source, line, `image number '${index}' is not a positive integer`);
  return { name, index: Number(index) };
}

function safeSegment(s: string): boolean {
  return s !== '.' && s !== '..' && !/[/\\]/.test(s);
}

/** A relative path that stays inside the image folder. */
function safePath(p: string): boolean {
  return !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && p.split(/[/\\]/).every((s) => s !== '' && safeSegment(s));
}

export function parseLabelPairs(text: string, source = 'pairs_label.txt'): ParsedPairs {
  const pairs = lines(text).map(({ fields, line }) => {
    if (fields.length !== 3) failAt(source, line, `expected 'path1 path2 label', found ${fields.length} fields`);
    const [a, b, label] = fields as [string, string, string];
    for (const p of [a, b]) if (!safePath(p)) failAt(source, line, `'${p}' is not a relative path inside the folder`);
    if (label !== '0' && label !== '1') failAt(source, line, `label '${label}' is neither 1 (same) nor 0 (different)`);
    return { a, b, same: label === '1', line };
  });
  return { format: 'labels', pairs };
}

/**
 * LFW's `pairs.txt` for these pairs in this order, under a header of `folds` folds; same-person pairs are the ones
 * whose two images have the same name. Order them as LFW does (each fold's same-person pairs, then its
 * different-people pairs) if other tools will read the file.
 */
export function formatLfwPairs(pairs: readonly { a: LfwImage; b: LfwImage }[], folds: number): string {
  if (!Number.isInteger(folds) || folds < 1 || pairs.length === 0 || pairs.length % (2 * folds) !== 0)
    throw new RangeError(`${pairs.length} pairs do not split into ${folds} folds of equally many same and different`);
  const rows = pairs.map(({ a, b }, k) => {
    for (const im of [a, b])
      if (!safeSegment(im.name) || /\s/.test(im.name) || !Number.isInteger(im.index) || im.index < 1)
        throw new RangeError(`pair ${k}: ${JSON.stringify(im)} is not an LFW image name and 1-based number`);
    return a.name === b.name ? `${a.name}\t${a.index}\t${b.index}` : `${a.name}\t${a.index}\t${b.name}\t${b.index}`;
  });
  return `${folds}\t${pairs.length / (2 * folds)}\n${rows.join('\n')}\n`;
}

/** insightface's `pairs_label.txt` for these pairs: `path1 path2 label` lines. */
export function formatLabelPairs(pairs: readonly { a: string; b: string; same: boolean }[]): string {
  return pairs
    .map(({ a, b, same }, k) => {
      for (const p of [a, b])
        if (!safePath(p) || /\s/.test(p))
          throw new RangeError(`pair ${k}: '${p}' is not a relative path without spaces`);
      return `${a} ${b} ${same ? 1 : 0}\n`;
    })
    .join('');
}
