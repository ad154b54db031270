/**
 * Fault injection at the client boundary: latency on every request, the next N writes (or a share of them) answered
 * with 409, 429 or 500 instead of being served, watch connections dropped, resourceVersions expired. Controllers
 * inside the emulator write to the store directly and never see these faults; only HTTP clients do.
 */
import { type ApiError, Errors } from '../core/index.ts';

export type FaultCode = 409 | 429 | 500;

export interface RequestSummary {
  method: string;
  verb: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  userAgent: string;
}

export type RequestFilter = (r: RequestSummary) => boolean;

export interface FaultSettings {
  /** Added to every API request before it is served (ms). */
  latencyMs: number;
  /** Share (0..1) of matching writes answered with one of `writeErrorCodes`. */
  writeErrorRate: number;
  writeErrorCodes: FaultCode[];
  /** Which requests the rate applies to (default: every write). */
  match?: RequestFilter;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export class Faults {
  private settings: FaultSettings = { latencyMs: 0, writeErrorRate: 0, writeErrorCodes: [500] };
  private queued: { code: FaultCode; match?: RequestFilter }[] = [];
  /** How many requests were answered with an injected error. */
  injected = 0;

  constructor(
    private readonly rng: () => number = Math.random,
    private readonly hooks: { dropWatches: () => number; expire: () => void } = {
      dropWatches: () => 0,
      expire: () => {},
    },
  ) {}

  configure(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  reset(): void {
    this.settings = { latencyMs: 0, writeErrorRate: 0, writeErrorCodes: [500] };
    this.queued = [];
  }

  /** The next `count` writes matching `match` fail with `code` (deterministic, for step-by-step scenarios). */
  failNextWrites(count: number, code: FaultCode, match?: RequestFilter): void {
    for (let i = 0; i < count; i++) this.queued.push({ code, match });
  }

  /** Closes every open watch connection, as a load balancer or an API server restart would. Returns how many. */
  dropWatches(): number {
    return this.hooks.dropWatches();
  }

  /** Forgets the event history: watches resuming from any resourceVersion seen so far get 410 Gone. */
  expireResourceVersions(): void {
    this.hooks.expire();
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
  }

  /** The error to answer instead of serving this request, if any. */
  errorFor(r: RequestSummary): ApiError | undefined {
    if (!WRITE_VERBS.has(r.verb)) return undefined;
    const at = this.queued.findIndex((q) => !q.match || q.match(r));
    let code: FaultCode | undefined;
    if (at >= 0) code = this.queued.splice(at, 1)[0]!.code;
    else if (this.settings.writeErrorRate > 0 && (!this.settings.match || this.settings.match(r))) {
      if (this.rng() < this.settings.writeErrorRate) {
        const codes = this.settings.writeErrorCodes;
        code = codes[Math.floor(this.rng() * codes.length)] ?? 500;
      }
    }
    if (code === undefined) return undefined;
    this.injected++;
    return injectedError(code, r);
  }
}

function injectedError(code: FaultCode, r: RequestSummary): ApiError {
  const gr = { group: '', resource: r.resource ?? '' };
  if (code === 409) return Errors.staleResourceVersion(gr, r.name ?? '');
  if (code === 429) return Errors.tooManyRequests(1);
  return Errors.internal('injected fault (kube-sim)');
}
