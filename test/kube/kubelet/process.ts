/** The one place the kubelet touches the OS: a container as a local process group, output appended to a log file. */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  pid: number;
  exited: Promise<ExitInfo>;
  /** Signals the whole process group (a container's command may start children). */
  signal(sig: NodeJS.Signals): void;
}

export class ProcessStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProcessStartError';
  }
}

export function startProcess(
  argv: string[],
  env: Record<string, string>,
  cwd: string | undefined,
  logFile: string,
): RunningProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ['ignore', fd, fd], detached: true });
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('error', () => resolve({ code: 127, signal: null }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const pid = child.pid ?? -1;
    return {
      pid,
      exited,
      signal(sig) {
        if (pid <= 0) return;
        try {
          process.kill(-pid, sig);
        } catch {
          // the group is already gone
        }
      },
    };
  } catch (err) {
    throw new ProcessStartError(`cannot start ${argv[0]}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    closeSync(fd);
  }
}
