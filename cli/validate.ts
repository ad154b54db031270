import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkManifests, EXIT_FAILURE, EXIT_OK, formatFieldError, type ManifestCheck } from '../api/index.ts';
import { paint } from './terminal.ts';

interface FileCheck {
  file: string;
  checks: ManifestCheck[];
  readError?: string;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      "Check job manifests as the API server would: schema, defaults and the CRDs' CEL rules. Exits 1 on any error.",
    )
    .argument('<files...>', 'YAML files or folders (multi-document YAML; - reads standard input)')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('-q, --quiet', 'print errors only')
    .action((files: string[], opts: { output: string; quiet?: boolean }) => {
      const results = expand(files).map(checkFile);
      if (opts.output === 'json') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else printText(results, opts.quiet ?? false);
      process.exitCode = results.some(failed) ? EXIT_FAILURE : EXIT_OK;
    });
}

function failed(r: FileCheck): boolean {
  return r.readError !== undefined || r.checks.some((c) => c.outcome === 'invalid');
}

/** Folders expand to their YAML files, recursively, as `kubectl apply -f DIR -R` does. */
function expand(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (p === '-') return [p];
    try {
      if (!statSync(p).isDirectory()) return [p];
    } catch {
      return [p];
    }
    return readdirSync(p, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(p, f));
  });
}

function checkFile(file: string): FileCheck {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { file, checks: [], readError: code === 'ENOENT' ? 'no such file' : String(err) };
  }
  const checks = checkManifests(text);
  if (checks.length === 0) return { file, checks, readError: 'no YAML documents' };
  return { file, checks };
}

function printText(results: FileCheck[], quiet: boolean): void {
  for (const r of results) {
    if (r.readError) console.log(`${r.file}: ${paint.red('error')}: ${r.readError}`);
    else for (const c of r.checks) for (const line of checkLines(r.file, c, quiet)) console.log(line);
  }
  const docs = results.flatMap((r) => r.checks);
  const bad = docs.filter((c) => c.outcome === 'invalid').length + results.filter((r) => r.readError).length;
  if (!quiet || bad > 0) {
    const valid = docs.filter((c) => c.outcome === 'valid').length;
    console.log(bad > 0 ? paint.red(`${bad} invalid, ${valid} valid`) : paint.green(`${valid} valid`));
  }
}

/** A document's verdict points at its first line; a field error at the field's own line. */
function checkLines(file: string, c: FileCheck['checks'][number], quiet: boolean): string[] {
  const where = (line = c.line) => `${file}:${line}: ${c.ref}`;
  if (c.outcome === 'valid') return quiet ? [] : [`${where()}: ${paint.green('valid')}`];
  if (c.outcome === 'skipped') return quiet ? [] : [`${where()}: ${paint.dim(`skipped (${c.note})`)}`];
  return [
    ...(c.note ? [`${where()}: ${paint.red('error')}: ${c.note}`] : []),
    ...c.errors.map((e) => `${where(e.line)}: ${paint.red('error')}: ${formatFieldError(e)}`),
  ];
}
