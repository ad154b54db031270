/**
 * The emulator as one object: storage, the API over HTTP on loopback, the controllers, and the node. Tests start
 * it, point kubectl or @kubernetes/client-node at `url` (or at the kubeconfig it writes), and use the knobs it
 * exposes: the image table, preemption, scheduling holds, ServiceAccount tokens and fault injection.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { create, type Deps, get, internalContext } from './apiserver/index.ts';
import { Authenticator } from './auth/index.ts';
import {
  CrdController,
  GarbageCollector,
  JobController,
  type Logger,
  mutate,
  NamespaceController,
  silentLogger,
} from './controllers/index.ts';
import { type Clock, type KubeObject, systemClock, timestamp } from './core/index.ts';
import { Faults } from './faults/index.ts';
import { createApiHttpServer, type OpenWatch, selfSignedCertificate, type TlsMaterial } from './http/index.ts';
import { type ImageTable, Kubelet, type PreemptOptions, Scheduler, serveLogs } from './kubelet/index.ts';
import { builtinTypes, Registry } from './registry/index.ts';
import { Store } from './store/index.ts';

export interface KubeSimOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Image reference → local command; '*' matches any other image. */
  images?: ImageTable;
  /** Where pod logs go (default: a new temporary folder). */
  logDir?: string;
  /** Enforce RBAC for callers with a ServiceAccount token (callers without a token are admin). */
  rbac?: boolean;
  /**
   * Serve https with a throwaway self-signed certificate (needs the openssl command). kubectl sends tokens only
   * over TLS, so use it to test RBAC through kubectl; the kubeconfig carries the certificate.
   */
  tls?: boolean;
  /** Events kept for resuming watches (older resourceVersions get 410). */
  historySize?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Job controller back-off before replacing a failed pod (default 100 ms, doubling, capped at 2 s). */
  jobBackoffMs?: number;
  jobBackoffMaxMs?: number;
  /** Kubelet back-off before restarting a container (default 100 ms, doubling, capped at 5 s). */
  restartBackoffMs?: number;
  /** Variables every container starts with (default: PATH, HOME, TMPDIR, LANG of this process). */
  baseEnv?: Record<string, string>;
  clock?: Clock;
  logger?: Logger;
  /** Random source of rate-based fault injection. */
  rng?: () => number;
  /** Called for every HTTP request served. */
  onRequest?: (method: string, path: string, status: number) => void;
}

export const NODE_NAME = 'kube-sim-node';

/** Controller errors on stderr (KUBE_SIM_DEBUG=1, and the standalone script). */
export const stderrLogger: Logger = {
  warn: (msg, err) =>
    process.stderr.write(`kube-sim: ${msg}${err instanceof Error && err.stack ? `\n${err.stack}` : ''}\n`),
};
const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class KubeSim {
  readonly faults: Faults;
  readonly kubelet: Kubelet;
  readonly scheduler: Scheduler;
  readonly logDir: string;
  private readonly authn = new Authenticator();
  private readonly watches = new Set<OpenWatch>();
  private readonly sockets = new Set<Socket>();
  private readonly stops: (() => void)[] = [];
  private server?: Server;
  private port = 0;
  private tls?: TlsMaterial;

  private constructor(
    readonly deps: Deps,
    private readonly options: KubeSimOptions,
  ) {
    const logger = options.logger ?? (process.env.KUBE_SIM_DEBUG ? stderrLogger : silentLogger);
    this.logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'kube-sim-logs-'));
    this.faults = new Faults(options.rng, {
      dropWatches: () => this.dropWatches(),
      expire: () => deps.store.compact(),
    });
    this.kubelet = new Kubelet(
      deps,
      {
        nodeName: NODE_NAME,
        images: options.images ?? {},
        logDir: this.logDir,
        baseEnv: options.baseEnv,
        restartBackoffMs: options.restartBackoffMs,
      },
      logger,
    );
    this.scheduler = new Scheduler(deps, NODE_NAME, logger);
    const controllers = [
      this.scheduler,
      new CrdController(deps, logger),
      new NamespaceController(deps, logger),
      new GarbageCollector(deps, logger),
      new JobController(deps, logger, { backoffBaseMs: options.jobBackoffMs, backoffMaxMs: options.jobBackoffMaxMs }),
      this.kubelet,
    ];
    const unsubscribe = deps.store.subscribe((e) => {
      for (const c of controllers) c.onEvent(e);
    });
    this.stops.push(unsubscribe, ...controllers.filter((c) => c !== this.kubelet).map((c) => () => c.stop()));
  }

  /** The one Node, Ready, with the labels a scheduler would see (kubectl get nodes). */
  private registerNode(): void {
    const t = this.deps.registry.byStorage('/nodes')!;
    const now = timestamp(this.deps.clock.now());
    const node = create(
      this.deps,
      t,
      '',
      { metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux' } } },
      internalContext('kubelet'),
    );
    const ready = {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    };
    mutate(
      this.deps,
      t,
      '',
      node.metadata.name!,
      'kubelet',
      (n) => {
        n.status = {
          conditions: [ready],
          addresses: [
            { type: 'InternalIP', address: '127.0.0.1' },
            { type: 'Hostname', address: NODE_NAME },
          ],
          nodeInfo: { kubeletVersion: 'v1.32.0-kube-sim', operatingSystem: 'linux', architecture: process.arch },
        };
        return true;
      },
      'status',
    );
  }

  /** Starts the emulator and waits until it listens. */
  static async start(options: KubeSimOptions = {}): Promise<KubeSim> {
    const clock = options.clock ?? systemClock;
    const store = new Store({ historySize: options.historySize });
    const registry = new Registry(builtinTypes(() => timestamp(clock.now())));
    const sim = new KubeSim({ store, registry, clock }, options);
    for (const ns of INITIAL_NAMESPACES)
      create(sim.deps, registry.byStorage('/namespaces')!, '', { metadata: { name: ns } }, internalContext('kube-sim'));
    sim.registerNode();
    await sim.listen(options.port ?? 0);
    return sim;
  }

  /** `http://127.0.0.1:PORT`, or https with `tls`. */
  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The PEM certificate clients must trust when the emulator serves https. */
  get caCertificate(): string | undefined {
    return this.tls?.cert;
  }

  /** Watch connections open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** The token that authenticates as the cluster admin (requests without a token are admin too). */
  get adminToken(): string {
    return this.authn.adminToken;
  }

  /** A bearer token for a ServiceAccount, subject to RBAC when the emulator enforces it. */
  tokenFor(namespace: string, serviceAccount: string): string {
    return this.authn.issueServiceAccountToken(namespace, serviceAccount);
  }

  /** A kubeconfig (YAML) for kubectl or the client library; with a token, requests are made as its owner. */
  kubeconfig(o: { token?: string; namespace?: string } = {}): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kube-sim', cluster: this.clusterEntry() }],
      users: [{ name: 'kube-sim', user: { token: o.token ?? this.authn.adminToken } }],
      contexts: [
        { name: 'kube-sim', context: { cluster: 'kube-sim', user: 'kube-sim', namespace: o.namespace ?? 'default' } },
      ],
      'current-context': 'kube-sim',
    });
  }

  private clusterEntry(): Record<string, unknown> {
    if (!this.tls) return { server: this.url, 'insecure-skip-tls-verify': true };
    return { server: this.url, 'certificate-authority-data': Buffer.from(this.tls.cert).toString('base64') };
  }

  writeKubeconfig(path: string, o: { token?: string; namespace?: string } = {}): void {
    writeFileSync(path, this.kubeconfig(o));
  }

  setImages(images: ImageTable): void {
    this.kubelet.setImages(images);
  }

  /** Holds pods for which `predicate` is false in Pending (Unschedulable); pass `() => true` to release them. */
  holdScheduling(predicate: (pod: KubeObject) => boolean): void {
    this.scheduler.hold(predicate);
  }

  /** Preempts a pod: DisruptionTarget condition, then graceful deletion (SIGTERM, grace period, SIGKILL). */
  preempt(namespace: string, name: string, o: PreemptOptions = {}): void {
    this.scheduler.preempt(namespace, name, o);
  }

  /** The stored object, read directly (no HTTP, no faults), or undefined. */
  object(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    const t = this.deps.registry.byKind(apiVersion, kind);
    if (!t) return undefined;
    try {
      return get(this.deps, t, t.namespaced ? namespace : '', name);
    } catch {
      return undefined;
    }
  }

  /** The log file of a pod's container run (restart 0 by default). */
  podLogPath(namespace: string, name: string, restart = 0): string | undefined {
    const pod = this.deps.store.get('/pods', namespace, name);
    return pod ? this.kubelet.logPath(pod, restart) : undefined;
  }

  /** Stops serving, the controllers and every pod process. */
  async stop(): Promise<void> {
    for (const s of this.stops) s();
    this.dropWatches();
    await this.kubelet.stop();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private dropWatches(): number {
    const n = this.watches.size;
    for (const w of [...this.watches]) w.close();
    return n;
  }

  private async listen(port: number): Promise<void> {
    if (this.options.tls) this.tls = selfSignedCertificate();
    const server = createApiHttpServer(
      {
        ...this.deps,
        watches: this.watches,
        bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 1000,
        authn: this.authn,
        faults: this.faults,
        rbac: this.options.rbac ?? false,
        onRequest: this.options.onRequest,
        issueToken: (ns, sa) => this.authn.issueServiceAccountToken(ns, sa),
        podLogs: (ns, name, o, req, res) => {
          const pod = this.deps.store.get('/pods', ns, name);
          if (pod) serveLogs(this.kubelet, pod, o, req, res);
        },
      },
      this.tls,
    );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
  }
}
