/**
 * The kubelet of the one node: each pod bound to it runs its first container as a local process, its image mapped to
 * a command by a test-supplied table. Exit codes become container states and the pod phase, restartPolicy restarts
 * with a back-off, and deletion is graceful (SIGTERM, the grace period, SIGKILL, then the final delete).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Deps, internalContext, remove } from '../apiserver/index.ts';
import { type Logger, mutate, recordEvent, WorkQueue } from '../controllers/index.ts';
import { ApiError, type Json, type KubeObject, timestamp } from '../core/index.ts';
import type { StoreEvent } from '../store/index.ts';
import { ContainerConfigError, containerEnv, expand } from './env.ts';
import { type RunningProcess, startProcess } from './process.ts';
import { type ContainerRun, exitCodeOf, podStatus } from './status.ts';

export interface ImageSpec {
  /** Prepended to the container's command, e.g. ['node', '--import', 'tsx']. */
  prefix?: string[];
  /** Used when the container has no command (the image's ENTRYPOINT). */
  entrypoint?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Rewrites the container's command and args (after $(VAR) expansion), e.g. `id3 worker ...` → `node bin/id3.js worker ...`. */
  rewrite?: (argv: string[]) => string[];
}

/** Image reference → how to run it here; the key '*' matches any image not listed. */
export type ImageTable = Record<string, ImageSpec>;

export interface KubeletOptions {
  nodeName: string;
  images: ImageTable;
  logDir: string;
  /** Variables every container gets before its own (default: PATH, HOME, TMPDIR of this process). */
  baseEnv?: Record<string, string>;
  restartBackoffMs?: number;
  restartBackoffMaxMs?: number;
}

interface Runtime {
  uid: string;
  restartCount: number;
  startTime: string;
  startedAt?: string;
  proc?: RunningProcess;
  terminating: boolean;
  done: boolean;
  lastState?: Json;
  timers: NodeJS.Timeout[];
}

const MANAGER = 'kubelet';

export class Kubelet {
  private readonly queue: WorkQueue;
  private readonly runtimes = new Map<string, Runtime>();
  /** Pod processes run in their own process groups; if this process exits without stop(), take them along. */
  private readonly killOnExit = () => {
    for (const rt of this.runtimes.values()) rt.proc?.signal('SIGKILL');
  };

  constructor(
    private readonly d: Deps,
    private readonly options: KubeletOptions,
    private readonly logger: Logger,
  ) {
    this.queue = new WorkQueue((key) => this.reconcile(key), logger);
    process.once('exit', this.killOnExit);
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === '/pods') this.queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
  }

  /** Replaces the image table; pods waiting for an image are retried. */
  setImages(images: ImageTable): void {
    this.options.images = images;
    this.resyncAll();
  }

  /** The log file of a container run (restart 0, 1, ...), where its stdout and stderr go. */
  logPath(pod: KubeObject, restart: number): string {
    const m = pod.metadata;
    const container = ((pod.spec as Json).containers as Json[])[0]!.name as string;
    return join(this.options.logDir, `${m.namespace}_${m.name}_${m.uid}`, container, `${restart}.log`);
  }

  /** Whether the pod's process is still running (or will restart). */
  isRunning(namespace: string, name: string): boolean {
    const rt = this.runtimes.get(`${namespace}/${name}`);
    return rt !== undefined && !rt.done;
  }

  /** Kills every process (SIGKILL) and waits for them to exit. */
  async stop(): Promise<void> {
    this.queue.stop();
    process.off('exit', this.killOnExit);
    const exits: Promise<unknown>[] = [];
    for (const rt of this.runtimes.values()) {
      for (const t of rt.timers) clearTimeout(t);
      if (rt.proc) {
        rt.proc.signal('SIGKILL');
        exits.push(rt.proc.exited);
      }
    }
    await Promise.all(exits);
    this.runtimes.clear();
  }

  private podType() {
    return this.d.registry.byStorage('/pods')!;
  }

  private resyncAll(): void {
    for (const p of this.d.store.list('/pods')) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  }

  private reconcile(key: string): number | undefined {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.d.store.get('/pods', ns, name);
    const rt = this.runtimes.get(key);
    if (rt && (!pod || pod.metadata.uid !== rt.uid)) this.forget(key, rt);
    if (!pod) return undefined;
    const spec = pod.spec as Json;
    if (spec.nodeName !== this.options.nodeName) return undefined;
    const current = this.runtimes.get(key);
    const phase = (pod.status as Json | undefined)?.phase;
    if (pod.metadata.deletionTimestamp) return this.terminate(pod, current);
    if (phase === 'Succeeded' || phase === 'Failed' || current) return undefined;
    return this.start(pod);
  }

  private forget(key: string, rt: Runtime): void {
    for (const t of rt.timers) clearTimeout(t);
    rt.proc?.signal('SIGKILL');
    rt.done = true;
    this.runtimes.delete(key);
  }

  private writeStatus(pod: KubeObject, phase: string, run: ContainerRun, rt: Runtime): void {
    mutate(
      this.d,
      this.podType(),
      pod.metadata.namespace!,
      pod.metadata.name!,
      MANAGER,
      (p) => {
        if (p.metadata.uid !== rt.uid) return false;
        p.status = podStatus(p, phase, run, timestamp(this.d.clock.now()), rt.startTime);
        return true;
      },
      'status',
    );
  }

  private container(pod: KubeObject): Json {
    return ((pod.spec as Json).containers as Json[])[0]!;
  }

  private run(pod: KubeObject, rt: Runtime, state: Json, ready: boolean): ContainerRun {
    const c = this.container(pod);
    return {
      name: String(c.name),
      image: String(c.image),
      restartCount: rt.restartCount,
      state,
      lastState: rt.lastState,
      ready,
    };
  }

  private start(pod: KubeObject): number | undefined {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const rt: Runtime = this.runtimes.get(key) ?? {
      uid: pod.metadata.uid!,
      restartCount: 0,
      startTime: timestamp(this.d.clock.now()),
      terminating: false,
      done: false,
      timers: [],
    };
    this.runtimes.set(key, rt);
    const c = this.container(pod);
    const image = this.options.images[String(c.image)] ?? this.options.images['*'];
    if (!image)
      return this.wait(pod, rt, key, 'ErrImagePull', `kube-sim: image "${c.image}" is not in the image table`);
    let env: Record<string, string>;
    try {
      env = containerEnv(pod, c, {
        secret: (ns, n) => this.d.store.get('/secrets', ns, n),
        configMap: (ns, n) => this.d.store.get('/configmaps', ns, n),
      });
    } catch (err) {
      if (err instanceof ContainerConfigError)
        return this.wait(pod, rt, key, 'CreateContainerConfigError', err.message);
      throw err;
    }
    const command = ((c.command as string[] | undefined) ?? image.entrypoint ?? []).map((s) => expand(s, env));
    const args = ((c.args as string[] | undefined) ?? []).map((s) => expand(s, env));
    const own = image.rewrite ? image.rewrite([...command, ...args]) : [...command, ...args];
    const argv = [...(image.prefix ?? []), ...own];
    if (argv.length === 0) return this.wait(pod, rt, key, 'CreateContainerError', 'no command specified');
    const hostname = String((pod.spec as Json).hostname ?? pod.metadata.name);
    const fullEnv = { ...this.baseEnv(), HOSTNAME: hostname, ...image.env, ...env };
    rt.proc = startProcess(argv, fullEnv, image.cwd, this.logPath(pod, rt.restartCount));
    this.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    rt.startedAt = timestamp(this.d.clock.now());
    const proc = rt.proc;
    this.writeStatus(pod, 'Running', this.run(pod, rt, { running: { startedAt: rt.startedAt } }, true), rt);
    void proc.exited.then((info) => this.onExit(key, rt, proc, exitCodeOf(info.code, info.signal)));
    return undefined;
  }

  private baseEnv(): Record<string, string> {
    if (this.options.baseEnv) return this.options.baseEnv;
    const pick = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
    return Object.fromEntries(pick.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
  }

  private event(
    pod: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component = MANAGER,
  ): void {
    recordEvent(this.d, pod, type, reason, message, { component });
  }

  /** The container cannot start yet: waiting state; the kubelet retries (or gives up when the pod is deleted). */
  private wait(pod: KubeObject, rt: Runtime, key: string, reason: string, message: string): number {
    this.event(pod, 'Warning', 'Failed', `Error: ${reason}: ${message}`);
    this.writeStatus(pod, 'Pending', this.run(pod, rt, { waiting: { reason, message } }, false), rt);
    this.runtimes.delete(key);
    return 1000;
  }

  private onExit(key: string, rt: Runtime, proc: RunningProcess, exitCode: number): void {
    if (rt.proc !== proc) return;
    rt.proc = undefined;
    for (const t of rt.timers) clearTimeout(t);
    rt.timers = [];
    const pod = this.d.store.get('/pods', ...(key.split('/') as [string, string]));
    if (!pod || pod.metadata.uid !== rt.uid) return;
    const message = exitCode !== 0 ? this.fallbackMessage(pod, rt) : undefined;
    const terminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      ...(message ? { message } : {}),
      startedAt: rt.startedAt,
      finishedAt: timestamp(this.d.clock.now()),
      containerID: `kube-sim://${proc.pid}`,
    };
    const policy = (pod.spec as Json).restartPolicy;
    const restart =
      !pod.metadata.deletionTimestamp && (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0));
    if (restart) {
      this.scheduleRestart(key, pod, rt, terminated);
      return;
    }
    rt.done = true;
    rt.lastState = rt.lastState ?? {};
    this.writeStatus(pod, exitCode === 0 ? 'Succeeded' : 'Failed', this.run(pod, rt, { terminated }, false), rt);
    if (pod.metadata.deletionTimestamp) this.finalDelete(pod);
  }

  /**
   * terminationMessagePolicy FallbackToLogsOnError: a failed container's message is the end of its log (the last 80
   * lines or 2048 bytes, whichever is less), as the kubelet does. A container here cannot write
   * /dev/termination-log, so only the fallback is emulated.
   */
  private fallbackMessage(pod: KubeObject, rt: Runtime): string | undefined {
    const c = ((pod.spec as Json).containers as Json[] | undefined)?.[0];
    if (c?.terminationMessagePolicy !== 'FallbackToLogsOnError') return undefined;
    try {
      const text = readFileSync(this.logPath(pod, rt.restartCount), 'utf8');
      const tail = text.slice(-2048).split('\n');
      return tail.slice(-81).join('\n').trim() || undefined;
    } catch {
      return undefined;
    }
  }

  private scheduleRestart(key: string, pod: KubeObject, rt: Runtime, terminated: Json): void {
    rt.lastState = { terminated };
    const base = this.options.restartBackoffMs ?? 100;
    const delay = Math.min(base * 2 ** rt.restartCount, this.options.restartBackoffMaxMs ?? 5000);
    const message = `back-off ${Math.round(delay)}ms restarting failed container=${this.container(pod).name} pod=${pod.metadata.name}`;
    this.writeStatus(
      pod,
      'Running',
      this.run(pod, rt, { waiting: { reason: 'CrashLoopBackOff', message } }, false),
      rt,
    );
    rt.timers.push(
      setTimeout(() => {
        rt.restartCount++;
        this.runtimes.delete(key);
        const now = this.d.store.get('/pods', ...(key.split('/') as [string, string]));
        if (now && now.metadata.uid === rt.uid && !now.metadata.deletionTimestamp) {
          this.runtimes.set(key, rt);
          this.start(now);
        }
      }, delay),
    );
  }

  private terminate(pod: KubeObject, rt: Runtime | undefined): number | undefined {
    if (rt?.proc) {
      if (rt.terminating) return undefined;
      rt.terminating = true;
      const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
      this.event(pod, 'Normal', 'Killing', `Stopping container ${this.container(pod).name}`);
      rt.proc.signal('SIGTERM');
      const proc = rt.proc;
      rt.timers.push(setTimeout(() => proc.signal('SIGKILL'), grace * 1000));
      return undefined;
    }
    for (const t of rt?.timers ?? []) clearTimeout(t);
    const phase = (pod.status as Json | undefined)?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      if (rt) rt.done = true;
      const r = rt ?? {
        uid: pod.metadata.uid!,
        restartCount: 0,
        startTime: timestamp(this.d.clock.now()),
        terminating: true,
        done: true,
        timers: [],
      };
      const terminated = {
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message: 'The container could not be located when the pod was deleted.  The container used to be Running',
        finishedAt: timestamp(this.d.clock.now()),
      };
      this.writeStatus(pod, 'Failed', this.run(pod, r, { terminated }, false), r);
    }
    this.finalDelete(pod);
    return undefined;
  }

  private finalDelete(pod: KubeObject): void {
    try {
      remove(
        this.d,
        this.podType(),
        pod.metadata.namespace!,
        pod.metadata.name!,
        { gracePeriodSeconds: 0 },
        internalContext(MANAGER),
      );
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404))
        this.logger.warn(`kubelet: final delete of ${pod.metadata.name}`, err);
    }
  }
}
