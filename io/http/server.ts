import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * HTTP endpoints of the operator and of workers: /healthz (alive), /readyz (ready; for the operator: caches synced, so
 * a replica can take over at once if it becomes leader), /metrics (Prometheus text format).
 */
export interface ProbeState {
  healthy(): boolean;
  ready(): boolean;
}

export async function startServer(address: string, registry: Registry, probes: ProbeState): Promise<Server> {
  const [host, portText] = splitAddress(address);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    if (path === '/healthz' || path === '/livez')
      return reply(probes.healthy() ? 200 : 500, probes.healthy() ? 'ok' : 'unhealthy');
    if (path === '/readyz') return reply(probes.ready() ? 200 : 503, probes.ready() ? 'ok' : 'caches not synced');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, text, registry.contentType),
        (err: unknown) => reply(500, String(err)),
      );
      return;
    }
    reply(404, 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(portText), host, () => resolve());
  });
  return server;
}

/** ":8080" → ["0.0.0.0", "8080"]; "127.0.0.1:0" → ["127.0.0.1", "0"]. */
export function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  const host = i > 0 ? address.slice(0, i) : '0.0.0.0';
  return [host, address.slice(i + 1)];
}
