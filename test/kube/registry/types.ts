/** What the emulator knows about one served resource: names for discovery, schema, columns and its strategy. */
import type { FieldError } from '../../../api/index.ts';
import type { KubeObject } from '../core/index.ts';
import type { SchemaNode } from '../schema/index.ts';
import type { FieldValues } from '../select/index.ts';
import type { TableColumn } from '../table/index.ts';

/** Per-kind behaviour, as the API server's REST strategies (defaulting, system fields, validation). */
export interface Strategy {
  /** Defaults, as the decoder applies them (a copy). */
  defaults?(obj: KubeObject): KubeObject;
  /** System-set fields on create (initial status, generated selectors); `uid` is already assigned. */
  prepareCreate?(obj: KubeObject): void;
  /** Canonicalisation on every write (e.g. Secret stringData into data). */
  normalize?(obj: KubeObject): void;
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /** Validation of a status write (defaults to validate). */
  validateStatus?(obj: KubeObject, old: KubeObject): FieldError[];
}

export type NameRule = 'subdomain' | 'label' | 'path-segment';

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: the URL segment. */
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served: 'status', 'log', 'token', 'finalize'. */
  subresources: string[];
  /** `group/resource`: where objects live in the store. */
  storage: string;
  schema: SchemaNode;
  /** The CRD's own OpenAPI schema, published as is (descriptions, enums, defaults) for `kubectl explain`. */
  openApiSchema?: Record<string, unknown>;
  /** Whether objects carry metadata.generation (custom resources, Jobs, CRDs; not ConfigMaps or Pods). */
  generation: boolean;
  /** A custom resource: merge patch only, resourceVersion required on update, CRD admission. */
  custom: boolean;
  nameRule: NameRule;
  columns: TableColumn[];
  /** Fields beyond metadata.name/namespace that field selectors may use. */
  selectableFields: string[];
  fieldValues(obj: KubeObject): FieldValues;
  /** Propagation when a DELETE names none (batch/v1 Jobs orphan their pods by default, for compatibility). */
  defaultPropagation: 'Background' | 'Orphan';
  strategy: Strategy;
}

export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function groupResource(t: Pick<ResourceType, 'group' | 'resource'>): { group: string; resource: string } {
  return { group: t.group, resource: t.resource };
}
