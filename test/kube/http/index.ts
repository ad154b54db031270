/**
 * The HTTP adapter: URL parsing into request info, content negotiation, the REST handlers, watch streams, and the
 * server that puts authentication, faults and RBAC in front of them.
 */

export { parseRequestInfo, type RequestInfo } from './request-info.ts';
export type { PodLogOptions } from './resources.ts';
export { createApiHttpServer, type HttpDeps } from './server.ts';
export { selfSignedCertificate, type TlsMaterial, TlsSetupError } from './tls.ts';
export type { OpenWatch } from './watch-stream.ts';
