/** Fault injection for HTTP clients: latency, failed writes (409/429/500), dropped watches, expired versions. */
export { type FaultCode, type FaultSettings, Faults, type RequestFilter, type RequestSummary } from './faults.ts';
