/**
 * A worker's last words, read back from its log: the message of its last error-level JSON line (how the runtime
 * reports a failed task), or the last line when the output is not ours. The local runner reads it from the worker's
 * log file, the operator from the pod's termination message (the end of the log, FallbackToLogsOnError).
 */
export function workerErrorFromLog(text: string | readonly string[]): string {
  const lines = (typeof text === 'string' ? text.split('\n') : [...text]).map((l) => l.trim()).filter(Boolean);
  for (const line of [...lines].reverse()) {
    try {
      const o = JSON.parse(line) as { level?: number; err?: string; msg?: string };
      if ((o.level ?? 0) >= 50) return o.err ? `${o.msg}: ${o.err}` : (o.msg ?? line);
    } catch {
      // not a JSON log line
    }
  }
  return lines.at(-1) ?? 'the worker exited without a message';
}
