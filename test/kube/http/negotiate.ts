/** Content negotiation: which representation the client accepts (Table, PartialObjectMetadata, JSON) and which patch it sent. */

import type { PatchType } from '../apiserver/index.ts';
import { Errors } from '../core/index.ts';

export type Representation = 'json' | 'table' | 'metadata';

/** The first media type in the Accept header that the emulator can produce. */
export function representation(accept: string | undefined): Representation {
  if (!accept) return 'json';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim()) as [string, string]));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    if (!p.as) return 'json';
    if (p.g === 'meta.k8s.io' && p.as === 'Table') return 'table';
    if (p.g === 'meta.k8s.io' && (p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList'))
      return 'metadata';
  }
  throw Errors.notAcceptable(['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io']);
}

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = (contentType ?? '').split(';')[0]!.trim();
  switch (type) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw Errors.unsupportedMediaType(type, [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
        'application/strategic-merge-patch+json',
      ]);
  }
}
