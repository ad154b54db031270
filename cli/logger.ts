import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * Loggers for every process: JSON lines (one object per line, for log pipelines and pods) or, in a terminal, pino-pretty.
 * `ID3_LOG_FORMAT=json|pretty` and `ID3_LOG_LEVEL` override. Credentials never reach a log: the storage layer scrubs
 * its errors and nothing logs secret values.
 */
export interface LoggerOptions {
  level?: string;
  format?: 'json' | 'pretty' | 'auto';
  base?: Record<string, unknown>;
  /** Where to write; standard error by default, so that standard output stays for results. */
  fd?: number;
}

/**
 * Both forms of the level in every JSON line: the number pino's tools (and our runners) read, and the name log
 * pipelines filter on without a lookup table.
 */
export function levelFields(label: string, number: number): { level: number; levelName: string } {
  return { level: number, levelName: label };
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const level = process.env.ID3_LOG_LEVEL ?? o.level ?? 'info';
  const fd = o.fd ?? 2;
  const wanted = (process.env.ID3_LOG_FORMAT as LoggerOptions['format']) ?? o.format ?? 'auto';
  const isTty = fd === 2 ? process.stderr.isTTY : process.stdout.isTTY;
  const usePretty = wanted === 'pretty' || (wanted === 'auto' && isTty === true);
  const options = { level, base: { ...o.base }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!usePretty) return pino({ ...options, formatters: { level: levelFields } }, pino.destination({ fd, sync: true }));
  return pino(options, pretty({ destination: fd, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}
