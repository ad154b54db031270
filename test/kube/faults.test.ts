/**
 * Fault injection at the client boundary: the next writes fail with a chosen code (409, 429 with Retry-After,
 * 500) while reads and the emulator's own controllers are untouched; a share of writes fails under a seeded random
 * source; open watches can be dropped.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, request, startCluster, type TestCluster } from './harness.ts';

let c: TestCluster;
const CM = '/api/v1/namespaces/default/configmaps';

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

beforeAll(async () => {
  c = await startCluster({ rng: seeded(7) });
});
afterAll(async () => c?.stop());

it('fails the next writes with the chosen codes, and leaves reads alone', async () => {
  c.sim.faults.failNextWrites(1, 500);
  c.sim.faults.failNextWrites(1, 429);
  c.sim.faults.failNextWrites(1, 409, (r) => r.verb === 'update');
  const first = await request(c, 'POST', CM, { body: { metadata: { name: 'f' } } });
  expect(first.status).toBe(500);
  expect((await request(c, 'GET', CM)).status).toBe(200);
  const second = await request(c, 'POST', CM, { body: { metadata: { name: 'f' } } });
  expect(second.status).toBe(429);
  expect(second.headers.get('retry-after')).toBe('1');
  const third = await request(c, 'POST', CM, { body: { metadata: { name: 'f' } } });
  expect(third.status).toBe(201);
  const update = await request(c, 'PUT', `${CM}/f`, { body: third.body });
  expect(update.status).toBe(409);
  expect((update.body as { reason: string }).reason).toBe('Conflict');
  expect((await request(c, 'PUT', `${CM}/f`, { body: third.body })).status).toBe(200);
});

it('fails a share of writes under a seeded random source', async () => {
  c.sim.faults.configure({ writeErrorRate: 0.5, writeErrorCodes: [500, 429] });
  const before = c.sim.faults.injected;
  const codes: number[] = [];
  for (let i = 0; i < 20; i++)
    codes.push((await request(c, 'POST', CM, { body: { metadata: { name: `rate-${i}` } } })).status);
  c.sim.faults.reset();
  const failed = codes.filter((x) => x !== 201);
  expect(failed.length).toBe(c.sim.faults.injected - before);
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.length).toBeLessThan(20);
  expect(new Set(failed)).toEqual(new Set([500, 429]));
});

it('drops open watches', async () => {
  const start = ((await request(c, 'GET', CM)).body as { metadata: { resourceVersion: string } }).metadata
    .resourceVersion;
  const res = await fetch(`${c.sim.url}${CM}?watch=true&resourceVersion=${start}`);
  const reader = res.body!.getReader();
  await eventually(() => expect(c.sim.openWatches).toBe(1));
  expect(c.sim.faults.dropWatches()).toBe(1);
  const { done } = await reader.read();
  expect(done).toBe(true);
  expect(c.sim.openWatches).toBe(0);
});
