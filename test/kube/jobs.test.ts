/**
 * The Job controller and the kubelet together, with real processes: parallelism and completions, Indexed jobs with
 * JOB_COMPLETION_INDEX and secret-backed env, backoffLimit, backoffLimitPerIndex with a FailIndex rule,
 * podFailurePolicy FailJob, preemption ignored by a DisruptionTarget rule with podReplacementPolicy Failed,
 * suspend and resume, ttlSecondsAfterFinished, OnFailure restarts, graceful deletion and logs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, request, startCluster, type TestCluster } from './harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: test assertions read deep status fields of untyped JSON
type Json = Record<string, any>;
let c: TestCluster;
let ns = 0;
const work = mkdtempSync(join(tmpdir(), 'kube-sim-jobs-'));

beforeAll(async () => {
  c = await startCluster({ jobBackoffMs: 20, restartBackoffMs: 20 });
});
afterAll(async () => {
  await c?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh namespace per test, so that pods and events never mix. */
async function namespace(): Promise<string> {
  const name = `jobs-${++ns}`;
  await request(c, 'POST', '/api/v1/namespaces', { body: { metadata: { name } } });
  return name;
}

function job(name: string, script: string, spec: Json = {}, container: Json = {}): Json {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 5,
          ...(spec.podSpec ?? {}),
          containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], ...container }],
        },
      },
      podSpec: undefined,
    },
  };
}

async function run(n: string, body: Json): Promise<void> {
  const r = await request(c, 'POST', `/apis/batch/v1/namespaces/${n}/jobs`, { body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

const getJob = async (n: string, name: string) =>
  (await request(c, 'GET', `/apis/batch/v1/namespaces/${n}/jobs/${name}`)).body as Json;
const pods = async (n: string) =>
  ((await request(c, 'GET', `/api/v1/namespaces/${n}/pods`)).body as Json).items as Json[];
const condition = (j: Json, type: string) =>
  (j.status?.conditions ?? []).find((x: Json) => x.type === type && x.status === 'True');

async function finished(n: string, name: string, type: 'Complete' | 'Failed', timeoutMs = 15_000): Promise<Json> {
  return eventually(async () => {
    const j = await getJob(n, name);
    expect(condition(j, type), JSON.stringify(j.status)).toBeDefined();
    return j;
  }, timeoutMs);
}

describe('Job controller', () => {
  it('runs completions with bounded parallelism and completes', async () => {
    const n = await namespace();
    const out = join(work, n);
    await run(
      n,
      job('par', `mkdir -p ${out}; echo $HOSTNAME > ${out}/$HOSTNAME; sleep 0.2`, { completions: 3, parallelism: 2 }),
    );
    const j = await finished(n, 'par', 'Complete');
    expect(j.status).toMatchObject({ succeeded: 3, failed: 0, active: 0 });
    expect(j.status.completionTime).toBeDefined();
    expect(condition(j, 'SuccessCriteriaMet')).toBeDefined();
    expect(readdirSync(out)).toHaveLength(3);
  });

  it('gives Indexed pods JOB_COMPLETION_INDEX, fieldRef and secretKeyRef env, and records completed indexes', async () => {
    const n = await namespace();
    await request(c, 'POST', `/api/v1/namespaces/${n}/secrets`, {
      body: { metadata: { name: 's3' }, stringData: { KEY: 'sekrit' } },
    });
    const out = join(work, n);
    const env = [
      { name: 'KEY', valueFrom: { secretKeyRef: { name: 's3', key: 'KEY' } } },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'WHO', value: 'pod=$(POD)' },
    ];
    // $(VAR) in args expands from the whole environment; in env values only from variables defined earlier.
    const script = `mkdir -p ${out}; echo "$0 $KEY $WHO" > ${out}/$JOB_COMPLETION_INDEX`;
    const spec = { completionMode: 'Indexed', completions: 3, parallelism: 3 };
    await run(n, job('idx', script, spec, { env, args: ['shard-$(JOB_COMPLETION_INDEX)'] }));
    const j = await finished(n, 'idx', 'Complete');
    expect(j.status.completedIndexes).toBe('0-2');
    for (const i of [0, 1, 2])
      expect(readFileSync(join(out, String(i)), 'utf8')).toMatch(
        new RegExp(`^shard-${i} sekrit pod=idx-${i}-[a-z0-9]{5}\\n$`),
      );
  });

  it('fails after backoffLimit failures', async () => {
    const n = await namespace();
    await run(n, job('flaky', 'exit 3', { backoffLimit: 1 }));
    const j = await finished(n, 'flaky', 'Failed');
    expect(condition(j, 'Failed')).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(j.status.failed).toBe(2);
  });

  it('counts failures per index, fails an index on a FailIndex exit code, and completes the others', async () => {
    const n = await namespace();
    const marker = join(work, `${n}-retry`);
    const script = `case $JOB_COMPLETION_INDEX in 1) exit 65;; 2) [ -e ${marker} ] || { touch ${marker}; exit 1; };; esac; exit 0`;
    const spec = {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      backoffLimitPerIndex: 1,
      podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [65] } }] },
    };
    await run(n, job('perindex', script, spec));
    const j = await finished(n, 'perindex', 'Failed');
    expect(j.status).toMatchObject({ completedIndexes: '0,2', failedIndexes: '1', failed: 2, succeeded: 2 });
    expect(condition(j, 'Failed')).toMatchObject({ reason: 'FailedIndexes' });
    const retried = (await pods(n)).filter(
      (p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index'] === '2',
    );
    expect(retried.map((p) => p.metadata.annotations['batch.kubernetes.io/job-index-failure-count']).sort()).toEqual([
      '0',
      '1',
    ]);
  });

  it('fails the job at once on a FailJob rule', async () => {
    const n = await namespace();
    const spec = {
      backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [65] } }] },
    };
    await run(n, job('baddata', 'exit 65', spec));
    const j = await finished(n, 'baddata', 'Failed');
    expect(condition(j, 'Failed').reason).toBe('PodFailurePolicy');
    expect(condition(j, 'Failed').message).toMatch(
      /^Container main for pod jobs-\d+\/baddata-\w+ failed with exit code 65 matching FailJob rule at index 0$/,
    );
    expect(j.status.failed).toBe(1);
  });

  it('ignores a preempted pod (DisruptionTarget) and replaces it only once it has failed', async () => {
    const n = await namespace();
    const marker = join(work, `${n}-preempted`);
    // The worker saves its state on SIGTERM (takes a moment) and exits 75; a rerun finds the marker and finishes.
    const script = `[ -e ${marker} ] && exit 0; trap 'sleep 1; touch ${marker}; exit 75' TERM; while true; do sleep 0.05; done`;
    const spec = {
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
    };
    await run(n, job('pre', script, spec));
    const first = await eventually(async () => {
      const p = (await pods(n))[0];
      expect(p?.status.phase).toBe('Running');
      return p!;
    });
    c.sim.preempt(n, first.metadata.name);
    const during = await eventually(async () => {
      const j = await getJob(n, 'pre');
      expect(j.status.terminating).toBe(1);
      return j;
    });
    expect(during.status.active).toBe(0);
    expect(await pods(n)).toHaveLength(1);
    const j = await finished(n, 'pre', 'Complete');
    expect(j.status).toMatchObject({ succeeded: 1, failed: 0 });
    const events = ((await request(c, 'GET', `/api/v1/namespaces/${n}/events`)).body as Json).items as Json[];
    expect(events.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(2);
  });

  it('suspends and resumes', async () => {
    const n = await namespace();
    await run(n, job('susp', 'sleep 0.1', { suspend: true }));
    await eventually(async () =>
      expect(condition(await getJob(n, 'susp'), 'Suspended')).toMatchObject({ reason: 'JobSuspended' }),
    );
    expect(await pods(n)).toEqual([]);
    await request(c, 'PATCH', `/apis/batch/v1/namespaces/${n}/jobs/susp`, {
      contentType: 'application/merge-patch+json',
      body: { spec: { suspend: false } },
    });
    const j = await finished(n, 'susp', 'Complete');
    expect(j.status.conditions.find((x: Json) => x.type === 'Suspended')).toMatchObject({
      status: 'False',
      reason: 'JobResumed',
    });
  });

  it('deletes a finished job and its pods after ttlSecondsAfterFinished', async () => {
    const n = await namespace();
    await run(n, job('ttl', 'true', { ttlSecondsAfterFinished: 0 }));
    await eventually(async () =>
      expect((await request(c, 'GET', `/apis/batch/v1/namespaces/${n}/jobs/ttl`)).status).toBe(404),
    );
    await eventually(async () => expect(await pods(n)).toEqual([]));
  });

  it('restarts an OnFailure container and reports the restart', async () => {
    const n = await namespace();
    const marker = join(work, `${n}-again`);
    await run(
      n,
      job('again', `[ -e ${marker} ] || { touch ${marker}; echo first; exit 2; }; echo second`, {
        podSpec: { restartPolicy: 'OnFailure' },
      }),
    );
    await finished(n, 'again', 'Complete');
    const [p] = await pods(n);
    expect(p!.status.containerStatuses[0]).toMatchObject({
      restartCount: 1,
      lastState: { terminated: { exitCode: 2 } },
      state: { terminated: { exitCode: 0 } },
    });
    const logs = await c.kubectl(['logs', '-n', n, p!.metadata.name]);
    expect(logs.stdout).toBe('second\n');
    const previous = await c.kubectl(['logs', '-n', n, p!.metadata.name, '--previous']);
    expect(previous.stdout).toBe('first\n');
  });
});

describe('kubelet', () => {
  it('stops a deleted pod with SIGTERM, then SIGKILL after the grace period', async () => {
    const n = await namespace();
    const pod = (name: string, script: string) => ({
      metadata: { name, finalizers: ['example.com/keep'] },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }],
      },
    });
    await request(c, 'POST', `/api/v1/namespaces/${n}/pods`, {
      body: pod('polite', 'trap "exit 0" TERM; while true; do sleep 0.05; done'),
    });
    await request(c, 'POST', `/api/v1/namespaces/${n}/pods`, {
      body: pod('stubborn', 'trap "" TERM; while true; do sleep 0.05; done'),
    });
    await eventually(async () => expect((await pods(n)).map((p) => p.status.phase)).toEqual(['Running', 'Running']));
    for (const name of ['polite', 'stubborn']) await request(c, 'DELETE', `/api/v1/namespaces/${n}/pods/${name}`);
    const exits = await eventually(async () => {
      const ps = await pods(n);
      const codes = ps.map((p) => p.status.containerStatuses?.[0]?.state?.terminated?.exitCode);
      expect(codes.every((x) => x !== undefined)).toBe(true);
      return Object.fromEntries(ps.map((p, i) => [p.metadata.name, { code: codes[i], phase: p.status.phase }]));
    });
    expect(exits).toEqual({ polite: { code: 0, phase: 'Succeeded' }, stubborn: { code: 137, phase: 'Failed' } });
  });

  it('reports an image missing from the table and a missing secret as waiting reasons, and starts once the secret exists', async () => {
    const n = await namespace();
    const pod = (name: string, image: string, env: Json[] = []) => ({
      metadata: { name },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'main', image, command: ['sh', '-c', 'echo $TOKEN'], env }],
      },
    });
    await request(c, 'POST', `/api/v1/namespaces/${n}/pods`, { body: pod('noimage', 'registry.example/unknown:1') });
    const env = [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'later', key: 'token' } } }];
    await request(c, 'POST', `/api/v1/namespaces/${n}/pods`, { body: pod('nosecret', 'busybox', env) });
    const waiting = (p: Json) => p.status.containerStatuses?.[0]?.state?.waiting?.reason;
    await eventually(async () =>
      expect((await pods(n)).map(waiting)).toEqual(['ErrImagePull', 'CreateContainerConfigError']),
    );
    await request(c, 'POST', `/api/v1/namespaces/${n}/secrets`, {
      body: { metadata: { name: 'later' }, stringData: { token: 't0k' } },
    });
    await eventually(
      async () => expect((await pods(n)).find((p) => p.metadata.name === 'nosecret')?.status.phase).toBe('Succeeded'),
      5000,
    );
    expect(readFileSync(c.sim.podLogPath(n, 'nosecret')!, 'utf8')).toBe('t0k\n');
  });
});
