/**
 * The admission chain of one write, in the API server's order: field validation (unknown fields: Strict refuses
 * them with a 400, Warn and Ignore prune them), the decoder's type checks, defaulting, canonicalisation, then
 * ObjectMeta and kind validation (422 with field causes).
 */
import type { FieldError } from '../../../api/index.ts';
import { Errors, type KubeObject } from '../core/index.ts';
import { metaErrors, metaUpdateErrors } from '../kinds/index.ts';
import type { ResourceType } from '../registry/index.ts';
import { prune, typeMismatches, unknownFields } from '../schema/index.ts';
import type { WriteContext } from './context.ts';

export function decode(t: ResourceType, obj: KubeObject, ctx: WriteContext): KubeObject {
  const unknown = unknownFields(t.schema, obj);
  const cannot = `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}`;
  if (unknown.length > 0 && ctx.fieldValidation === 'Strict') {
    const list = unknown.map((p) => `unknown field "${p}"`).join(', ');
    throw Errors.badRequest(`${cannot}: strict decoding error: ${list}`);
  }
  if (unknown.length > 0 && ctx.fieldValidation === 'Warn')
    ctx.warnings.push(...unknown.map((p) => `unknown field "${p}"`));
  prune(t.schema, obj);
  if (!t.custom) {
    const bad = typeMismatches(t.schema, obj);
    if (bad.length > 0) {
      const b = bad[0]!;
      throw Errors.badRequest(
        `${cannot}: json: cannot unmarshal ${b.got} into Go struct field ${t.kind}.${b.path} of type ${b.expected}`,
      );
    }
  }
  return obj;
}

export function defaultAndNormalize(t: ResourceType, obj: KubeObject): KubeObject {
  const out = t.strategy.defaults ? t.strategy.defaults(obj) : obj;
  t.strategy.normalize?.(out);
  return out;
}

export function validate(t: ResourceType, obj: KubeObject, old: KubeObject | undefined, subresource?: string): void {
  const errors: FieldError[] = [];
  const meta = metaErrors(obj, t.nameRule);
  // A custom resource's validator checks metadata.name itself (with the CRD's rules); avoid reporting it twice.
  errors.push(...(t.custom ? meta.filter((e) => e.field !== 'metadata.name') : meta));
  if (old) errors.push(...metaUpdateErrors(obj, old));
  if (subresource === 'status' && old)
    errors.push(...((t.strategy.validateStatus ?? t.strategy.validate)?.(obj, old) ?? []));
  else errors.push(...(t.strategy.validate?.(obj, old) ?? []));
  if (errors.length > 0)
    throw Errors.invalid(t.group, t.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
}
