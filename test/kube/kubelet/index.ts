/**
 * The node: a scheduler that binds pods to it and a kubelet that runs each pod's first container as a local
 * process (image table → command), reports its status, restarts it by restartPolicy, stops it gracefully on
 * deletion, preempts on request, and serves its logs.
 */
export { ContainerConfigError, containerEnv, expand } from './env.ts';
export { type ImageSpec, type ImageTable, Kubelet, type KubeletOptions } from './kubelet.ts';
export { type LogRequest, serveLogs } from './logs.ts';
export { type PreemptOptions, Scheduler } from './scheduler.ts';
export { exitCodeOf } from './status.ts';
