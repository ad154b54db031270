import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/**
 * What a person sees while `id3 run` works: in a terminal, one live bar per stage (done/total, rate, ETA); elsewhere
 * (CI logs, pipes), a line per stage every few seconds. The runner only calls this interface.
 */
export interface ProgressView {
  stageStarted(job: string, stage: string, total: number, unit: string): void;
  /** `unit` changes what the numbers count (a stage sized in tasks at the start may report images later). */
  update(job: string, stage: string, done: number, total: number, rate: number, unit?: string): void;
  stageFinished(job: string, stage: string, outcome: string): void;
  note(line: string): void;
  stop(): void;
}

export function createView(
  interactive: boolean,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): ProgressView {
  return interactive ? new BarView() : new LineView(write);
}

class BarView implements ProgressView {
  private readonly multi = new MultiBar(
    {
      format: ' {label} {bar} {percentage}% | {value}/{total} {unit} | {speed} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
      barsize: 28,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  private readonly bars = new Map<string, SingleBar>();

  stageStarted(job: string, stage: string, total: number, unit: string): void {
    const bar = this.multi.create(Math.max(total, 1), 0, { label: `${job} ${stage}`.padEnd(24), unit, speed: '' });
    this.bars.set(`${job}/${stage}`, bar);
  }

  update(job: string, stage: string, done: number, total: number, rate: number, unit?: string): void {
    const bar = this.bars.get(`${job}/${stage}`);
    if (!bar) return;
    if (total > 0) bar.setTotal(total);
    bar.update(done, { speed: rate > 0 ? `${rate.toFixed(rate < 10 ? 2 : 0)}/s` : '', ...(unit ? { unit } : {}) });
  }

  stageFinished(job: string, stage: string, outcome: string): void {
    const bar = this.bars.get(`${job}/${stage}`);
    if (outcome === 'done' && bar) bar.update(bar.getTotal(), { speed: 'done' });
  }

  note(line: string): void {
    this.multi.log(`${line}\n`);
  }

  stop(): void {
    this.multi.stop();
  }
}

class LineView implements ProgressView {
  private readonly last = new Map<string, { at: number; done: number }>();
  constructor(private readonly write: (line: string) => void) {}

  stageStarted(job: string, stage: string, total: number, unit: string): void {
    this.write(`${job} ${stage}: started (${total} ${unit})`);
  }

  update(job: string, stage: string, done: number, total: number, rate: number, unit?: string): void {
    const key = `${job}/${stage}`;
    const now = Date.now();
    const last = this.last.get(key);
    // One line per ten seconds at most, and none while nothing moved: logs stay readable for hour-long stages.
    if (last && (now - last.at < 10_000 || last.done === done)) return;
    this.last.set(key, { at: now, done });
    const eta = rate > 0 && total > done ? `, ETA ${formatSeconds((total - done) / rate)}` : '';
    const counted = unit ? ` ${unit}` : '';
    this.write(`${job} ${stage}: ${done}/${total}${counted}${rate > 0 ? ` at ${rate.toFixed(2)}/s` : ''}${eta}`);
  }

  stageFinished(job: string, stage: string, outcome: string): void {
    this.write(`${job} ${stage}: ${outcome}`);
  }

  note(line: string): void {
    this.write(line);
  }

  stop(): void {}
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}
