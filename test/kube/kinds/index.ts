/**
 * The built-in kinds' strategies (defaults, system fields, validation) and the shared ObjectMeta checks, written after
 * the upstream REST strategies but covering only what tests and the operator exercise.
 */
export { CRD_CLEANUP_FINALIZER, crdStrategy } from './crd.ts';
export { INT32_MAX, jobStrategy, LABEL_CONTROLLER_UID, LABEL_JOB_NAME } from './job.ts';
export { metaErrors, metaUpdateErrors, nameErrors } from './meta.ts';
export { defaultPodSpec, podStrategy } from './pod.ts';
export { bindingStrategy, eventStrategy, namespaceStrategy, secretStrategy, serviceStrategy } from './simple.ts';
