/**
 * A Kubernetes API emulator for tests (never part of the product): the API conventions over HTTP on loopback
 * (discovery, OpenAPI v3, CRDs with schema and CEL admission, status subresource, watch with resourceVersion,
 * bookmarks and 410, patches and server-side apply, selectors, Tables, finalizers, garbage collection, RBAC), a Job
 * controller, and a kubelet that runs pod commands as local processes, driven by the real kubectl and
 * @kubernetes/client-node. See README.md for what it covers and what it leaves out.
 */
export type { KubeObject } from './core/index.ts';
export { type FaultCode, type FaultSettings, Faults, type RequestFilter, type RequestSummary } from './faults/index.ts';
export type { ImageSpec, ImageTable } from './kubelet/index.ts';
export { KubeSim, type KubeSimOptions, NODE_NAME, stderrLogger } from './sim.ts';
