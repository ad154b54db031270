import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { EXIT_BAD_INPUT, EXIT_RETRY, type Stage } from '../api/index.ts';
import { workerErrorFromLog } from '../workflow/index.ts';

/**
 * Runs a stage's tasks as child processes, at most `concurrency` at a time, with the same retry rules a Kubernetes
 * Job gets from the operator: exit 75 (stopped with state saved) is retried without counting, 65 (bad input) fails
 * the stage at once, anything else is retried up to `backoffLimit` times. On stop (Ctrl-C) every child gets SIGTERM,
 * finishes the work in hand, saves and exits; nothing is retried after that.
 */

export interface TaskLaunch {
  stage: Stage;
  task: number;
  /** argv after the Node executable. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Where the task's output (its JSON logs) goes, one file per attempt. */
  logFile: (attempt: number) => string;
}

/** Warnings a task logged (pino level 40) in its last attempt: the run's summary points at them. */
export interface TaskWarnings {
  count: number;
  first: string;
  logFile: string;
}

export type TaskOutcome =
  | { task: number; result: 'done'; warnings?: TaskWarnings }
  | { task: number; result: 'failed'; exitCode: number; badInput: boolean; message: string; logFile: string }
  | { task: number; result: 'stopped' };

export interface PoolOptions {
  concurrency: number;
  backoffLimit: number;
  signal: AbortSignal;
  onStart?: (task: number, attempt: number) => void;
  onExit?: (task: number, code: number) => void;
}

export async function runTasks(launches: readonly TaskLaunch[], o: PoolOptions): Promise<TaskOutcome[]> {
  const queue = [...launches];
  const outcomes: TaskOutcome[] = [];
  let failedHard = false;
  const worker = async () => {
    for (;;) {
      const next = queue.shift();
      if (!next || o.signal.aborted || failedHard) return;
      const outcome = await runWithRetries(next, o);
      if (outcome.result === 'failed') failedHard = true;
      outcomes.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return outcomes.sort((a, b) => a.task - b.task);
}

async function runWithRetries(t: TaskLaunch, o: PoolOptions): Promise<TaskOutcome> {
  let failures = 0;
  for (let attempt = 0; ; attempt++) {
    if (o.signal.aborted) return { task: t.task, result: 'stopped' };
    o.onStart?.(t.task, attempt);
    const { code, tail, warnings } = await runOnce(t, attempt, o.signal);
    o.onExit?.(t.task, code);
    if (code === 0) return { task: t.task, result: 'done', ...(warnings ? { warnings } : {}) };
    if (o.signal.aborted) return { task: t.task, result: 'stopped' };
    if (code === EXIT_RETRY) continue;
    const badInput = code === EXIT_BAD_INPUT;
    if (badInput || ++failures > o.backoffLimit) {
      return {
        task: t.task,
        result: 'failed',
        exitCode: code,
        badInput,
        message: workerErrorFromLog(tail),
        logFile: t.logFile(attempt),
      };
    }
  }
}

interface Attempt {
  code: number;
  tail: string[];
  warnings?: TaskWarnings;
}

function runOnce(t: TaskLaunch, attempt: number, signal: AbortSignal): Promise<Attempt> {
  const logFile = t.logFile(attempt);
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const tail: string[] = [];
  let warnings: TaskWarnings | undefined;
  const lines = { stdout: '', stderr: '' };
  // A chunk may end inside a multi-byte character, not only inside a line.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const take = (line: string) => {
    if (!line) return;
    tail.push(line);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
    const msg = warningOf(line);
    if (msg !== undefined) warnings = { count: (warnings?.count ?? 0) + 1, first: warnings?.first ?? msg, logFile };
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, t.args, { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Lines are judged whole: a chunk may end mid-line.
    const collect = (from: keyof typeof lines) => (chunk: Buffer) => {
      log.write(chunk);
      const parts = (lines[from] + decoders[from].write(chunk)).split('\n');
      lines[from] = parts.pop() ?? '';
      for (const line of parts) take(line);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const stop = () => child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', stop);
      take(lines.stdout);
      take(lines.stderr);
      log.end();
      resolve({ code: code ?? (sig === 'SIGKILL' ? 137 : 143), tail, ...(warnings ? { warnings } : {}) });
    });
  });
}

/** The message of a worker's JSON log line at warn level, else undefined. */
export function warningOf(line: string): string | undefined {
  if (!line.includes('"level":40')) return undefined;
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
    return entry.level === 40 ? String(entry.msg ?? '') : undefined;
  } catch {
    return undefined;
  }
}
