import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { GROUP } from './constants.ts';
import { type FieldError, joinPath, locateFieldErrors, type SourcePosition } from './field-errors.ts';
import { admit, isJobKind, objectRef } from './kinds.ts';
import { isPlainObject } from './schema/defaults.ts';

/** One document of a multi-document YAML stream, with where it starts for messages. */
export interface ManifestDocument {
  /** 0-based position in the stream. */
  index: number;
  /** 1-based line of the document's first content. */
  line: number;
  object: unknown;
  /**
   * Where each field is written, by field path as FieldError.field names it (`spec.ranges[0].min`): the position of
   * its key, or of the item for list items; '' is the document's first content. Empty for a syntax error. Give it to
   * locateFieldErrors to point errors at their fields.
   */
  positions: ReadonlyMap<string, SourcePosition>;
  /** A YAML syntax error, with its line; object is undefined then. */
  syntaxError?: string;
}

/**
 * Splits a YAML stream (`---`-separated, as kubectl takes it) into documents, skipping empty ones. Syntax errors are
 * returned per document rather than thrown, so one bad document does not hide the others.
 */
export function parseManifests(text: string): ManifestDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ManifestDocument[] = [];
  list.forEach((doc, index) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lines.linePos(start).line;
    if (doc.errors.length > 0) {
      out.push({
        index,
        line,
        object: undefined,
        positions: new Map(),
        syntaxError: doc.errors.map((e) => e.message.split('\n')[0]).join('; '),
      });
      return;
    }
    const object = doc.toJS({ maxAliasCount: 1000 });
    if (object === null || object === undefined) return;
    out.push({ index, line, object, positions: fieldPositions(doc, start, lines) });
  });
  return out;
}

/**
 * Field path → position of every key and list item of a document, paths built with joinPath as the validators build
 * them. An alias is not followed: the fields under it are placed at the alias.
 */
function fieldPositions(doc: Document, start: number, lines: LineCounter): Map<string, SourcePosition> {
  const at = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const positions = new Map([['', at(start)]]);
  const visit = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const { key, value } of node.items) {
        if (!isScalar(key) || !key.range) continue;
        const field = joinPath(path, String(key.value));
        positions.set(field, at(key.range[0]));
        visit(value, field);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (!isNode(item) || !item.range) return;
        const field = joinPath(path, i);
        positions.set(field, at(item.range[0]));
        visit(item, field);
      });
    }
  };
  visit(doc.contents, '');
  return positions;
}

export interface ManifestCheck {
  index: number;
  line: number;
  /** Kind/name, as kubectl names objects. */
  ref: string;
  outcome: 'valid' | 'invalid' | 'skipped';
  errors: FieldError[];
  /** Why a document was skipped or could not be read. */
  note?: string;
}

/**
 * Admits every document of a YAML stream as the API server would. Objects of other API groups (a Secret beside the
 * job, say) are skipped: this checks the id3.sfr.dev kinds only.
 */
export function checkManifests(text: string): ManifestCheck[] {
  return parseManifests(text).map((doc): ManifestCheck => {
    const base = { index: doc.index, line: doc.line };
    if (doc.syntaxError !== undefined) {
      return {
        ...base,
        ref: `document ${doc.index + 1}`,
        outcome: 'invalid',
        errors: [],
        note: `YAML syntax error: ${doc.syntaxError}`,
      };
    }
    const ref = objectRef(doc.object);
    const o = isPlainObject(doc.object) ? doc.object : {};
    const ours = isJobKind(o.kind) || (typeof o.apiVersion === 'string' && o.apiVersion.startsWith(`${GROUP}/`));
    const typed = typeof o.apiVersion === 'string' && typeof o.kind === 'string';
    if (!ours && typed) return { ...base, ref, outcome: 'skipped', errors: [], note: `not an ${GROUP} kind` };
    const errors = locateFieldErrors(admit(doc.object).errors, doc.positions);
    return { ...base, ref, outcome: errors.length ? 'invalid' : 'valid', errors };
  });
}
