/** `kubectl logs`: a container's log file, its tail, the previous run's, or followed until the container stops. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Errors, type Json, type KubeObject } from '../core/index.ts';
import type { Kubelet } from './kubelet.ts';

export interface LogRequest {
  container?: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
}

function tail(text: string, lines: number | undefined): string {
  if (lines === undefined) return text;
  const all = text.split('\n');
  const trailing = all.at(-1) === '' ? 1 : 0;
  return all.slice(Math.max(0, all.length - trailing - lines)).join('\n');
}

export function serveLogs(
  kubelet: Kubelet,
  pod: KubeObject,
  o: LogRequest,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const first = ((pod.spec as Json).containers as Json[])[0]!.name;
  if (o.container && o.container !== first)
    throw Errors.badRequest(
      `container ${o.container} is not valid for pod ${pod.metadata.name} (kube-sim runs the first container only)`,
    );
  const status = ((pod.status as Json | undefined)?.containerStatuses as Json[] | undefined)?.[0];
  const restarts = (status?.restartCount as number | undefined) ?? 0;
  if (o.previous && restarts === 0)
    throw Errors.badRequest(`previous terminated container "${first}" in pod "${pod.metadata.name}" not found`);
  const file = kubelet.logPath(pod, o.previous ? restarts - 1 : restarts);
  if (!existsSync(file)) {
    const waiting = (status?.state as Json | undefined)?.waiting as Json | undefined;
    throw Errors.badRequest(
      `container "${first}" in pod "${pod.metadata.name}" is waiting to start: ${waiting?.reason ?? 'ContainerCreating'}`,
    );
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  const text = tail(readFileSync(file, 'utf8'), o.tailLines);
  res.write(text);
  if (!o.follow || o.previous) {
    res.end();
    return;
  }
  void follow(kubelet, pod, file, Buffer.byteLength(readFileSync(file, 'utf8')), req, res);
}

async function follow(
  kubelet: Kubelet,
  pod: KubeObject,
  file: string,
  from: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  let offset = from;
  const handle = await open(file, 'r');
  try {
    for (;;) {
      const size = statSync(file).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        await handle.read(buf, 0, buf.length, offset);
        offset = size;
        res.write(buf);
      }
      if (closed || !kubelet.isRunning(pod.metadata.namespace!, pod.metadata.name!)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await handle.close();
    if (!res.writableEnded) res.end();
  }
}
