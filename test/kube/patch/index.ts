/**
 * Patches the API server accepts: JSON patch, JSON merge patch, strategic merge patch (built-in kinds) and
 * server-side apply with managedFields.
 */
export { changedFields, describePath, type FieldSet, fieldsOf, fromFieldsV1, toFieldsV1 } from './fieldset.ts';
export { jsonMergePatch, jsonPatch } from './json.ts';
export { type ApplyResult, type ManagerContext, recordUpdate, serverSideApply } from './managed.ts';
export { PatchError, strategicMergePatch } from './strategic.ts';
