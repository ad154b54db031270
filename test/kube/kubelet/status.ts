/** Pod status as the kubelet reports it: conditions, the container's state, and the phase its exit code gives. */
import type { Json, KubeObject } from '../core/index.ts';

export interface ContainerRun {
  name: string;
  image: string;
  restartCount: number;
  state: Json;
  lastState?: Json;
  ready: boolean;
}

function condition(type: string, ok: boolean, now: string, reason?: string): Json {
  const c: Json = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now };
  if (reason) c.reason = reason;
  return c;
}

/** Keeps conditions that others set (DisruptionTarget) and replaces those the kubelet owns. */
function mergeConditions(old: Json[], mine: Json[]): Json[] {
  const owned = new Set(mine.map((c) => c.type));
  const kept = old.filter((c) => !owned.has(c.type as string));
  return [
    ...kept,
    ...mine.map((c) => {
      const prev = old.find((o) => o.type === c.type);
      return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
    }),
  ];
}

export function podStatus(pod: KubeObject, phase: string, run: ContainerRun, now: string, startTime: string): Json {
  const prev = (pod.status ?? {}) as Json;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const reason = terminal ? 'PodCompleted' : run.ready ? undefined : 'ContainersNotReady';
  const mine = [
    condition('PodReadyToStartContainers', !terminal, now),
    condition('Initialized', true, now, terminal ? 'PodCompleted' : undefined),
    condition('Ready', run.ready, now, reason),
    condition('ContainersReady', run.ready, now, reason),
    condition('PodScheduled', true, now),
  ];
  const status: Json = {
    ...prev,
    phase,
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    startTime,
    conditions: mergeConditions((prev.conditions as Json[] | undefined) ?? [], mine),
    containerStatuses: [
      {
        name: run.name,
        image: run.image,
        imageID: `kube-sim://${run.image}`,
        ready: run.ready,
        started: run.state.running !== undefined,
        restartCount: run.restartCount,
        state: run.state,
        lastState: run.lastState ?? {},
      },
    ],
  };
  return status;
}

export function unschedulableStatus(pod: KubeObject, message: string, now: string): Json {
  const prev = (pod.status ?? {}) as Json;
  const c = { ...condition('PodScheduled', false, now, 'Unschedulable'), message };
  return { ...prev, phase: 'Pending', conditions: mergeConditions((prev.conditions as Json[] | undefined) ?? [], [c]) };
}

/** The exit code a process reports, or 128 + signal number for one killed by a signal. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
    SIGABRT: 6,
    SIGSEGV: 11,
  };
  return 128 + (signal ? (numbers[signal] ?? 0) : 0);
}
