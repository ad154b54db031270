/** Resources served for a CRD: one per served version, admitted by api/'s CustomResourceValidator. */
import { type CustomResourceDefinition, CustomResourceValidator } from '../../../api/index.ts';
import type { KubeObject } from '../core/index.ts';
import { crdSchema } from '../schema/index.ts';
import { crdColumns } from '../table/index.ts';
import { fieldValuesAt } from './builtins.ts';
import type { ResourceType, Strategy } from './types.ts';

function strategyFor(validator: CustomResourceValidator): Strategy {
  // Unknown fields are handled by field validation (Strict: 400, Warn/Ignore: pruned) before admission runs.
  const validate = (obj: KubeObject, old: KubeObject | undefined) =>
    validator.validate(obj, old).filter((e) => e.type !== 'FieldValueUnknown');
  return {
    defaults: (obj) => validator.applyDefaults(obj),
    validate,
    validateStatus: validate,
  };
}

export function customTypes(crd: CustomResourceDefinition): ResourceType[] {
  const { group, names, scope } = crd.spec;
  return crd.spec.versions
    .filter((v) => v.served && v.schema)
    .map((v) => {
      const selectable = ((v as { selectableFields?: { jsonPath: string }[] }).selectableFields ?? []).map((f) =>
        f.jsonPath.replace(/^\./, ''),
      );
      return {
        group,
        version: v.name,
        resource: names.plural,
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        singular: names.singular ?? names.kind.toLowerCase(),
        namespaced: scope === 'Namespaced',
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        subresources: v.subresources?.status ? ['status'] : [],
        storage: `${group}/${names.plural}`,
        schema: crdSchema(v.schema!.openAPIV3Schema),
        openApiSchema: v.schema!.openAPIV3Schema as Record<string, unknown>,
        custom: true,
        generation: true,
        nameRule: 'subdomain',
        columns: crdColumns(v.additionalPrinterColumns),
        selectableFields: selectable,
        fieldValues: fieldValuesAt(selectable),
        defaultPropagation: 'Background',
        strategy: strategyFor(new CustomResourceValidator(crd, v.name)),
      } satisfies ResourceType;
    });
}
