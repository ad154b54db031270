/**
 * Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Each resource has columns; a CRD's come from its
 * additionalPrinterColumns, the built-ins' from table/builtin-columns.ts.
 */
import type { Json, KubeObject } from '../core/index.ts';
import { age } from './duration.ts';
import { compileJsonPath } from './jsonpath.ts';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  cell(obj: KubeObject, now: Date): unknown;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  cell: (o) => o.metadata.name,
};

export const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o, now) => age(o.metadata.creationTimestamp, now),
};

export interface PrinterColumnSpec {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** Columns of a CRD version: Name, then its printer columns, or Name and Age when it declares none. */
export function crdColumns(specs: readonly PrinterColumnSpec[] | undefined): TableColumn[] {
  if (!specs || specs.length === 0) return [NAME_COLUMN, AGE_COLUMN];
  return [NAME_COLUMN, ...specs.map(printerColumn)];
}

function printerColumn(spec: PrinterColumnSpec): TableColumn {
  const find = compileJsonPath(spec.jsonPath);
  const type = spec.type as TableColumn['type'];
  return {
    name: spec.name,
    type: type === 'date' ? 'date' : type,
    format: spec.format,
    description: spec.description,
    priority: spec.priority,
    cell: (obj, now) => cellFor(type, find(obj)[0], now),
  };
}

/** As the apiextensions table convertor: typed cells, dates as ages, null when absent or of the wrong type. */
function cellFor(type: TableColumn['type'], value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? age(value, now) : null;
    default:
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

export function toTable(
  columns: readonly TableColumn[],
  objects: readonly KubeObject[],
  listMeta: Json,
  include: IncludeObject,
  now: Date,
): Json {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type === 'date' ? 'date' : c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({ cells: columns.map((c) => c.cell(o, now)), object: rowObject(o, include) })),
  };
}

function rowObject(o: KubeObject, include: IncludeObject): Json | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  const { managedFields: _drop, ...metadata } = o.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}
