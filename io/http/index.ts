/**
 * The HTTP endpoints every id3 process serves — /healthz, /readyz and /metrics (Prometheus text) — for the operator's
 * Deployment and for worker pods alike.
 */
export { type ProbeState, splitAddress, startServer } from './server.ts';
