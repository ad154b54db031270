/**
 * Reading a Dockerfile and a .dockerignore the way BuildKit does, for tests on a machine without a container engine:
 * instructions with line continuations and comments, stages with their base images (global ARG defaults
 * substituted), and .dockerignore matching (Go filepath.Match patterns plus `**`, later `!` exceptions win, an
 * excluded folder excludes what is in it).
 */

export interface Instruction {
  cmd: string;
  /** The instruction's text after the command word, continuations joined. */
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  /** The FROM reference with ARGs substituted. */
  from: string;
  /** Whether `from` names an earlier stage rather than an image. */
  fromStage: boolean;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!;
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i;
    let joined = first;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      joined = `${joined.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (m) out.push({ cmd: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

/** `${NAME}` and `$NAME` from `vars`; unknown ones stay. */
export function expandArgs(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g, (m, a?: string, b?: string) => vars[a ?? b ?? ''] ?? m);
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.cmd === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      const from = expandArgs(m[1]!, globalArgs);
      const fromStage = stages.some((s) => s.name === from);
      stages.push({ name: m[2] ?? String(stages.length), from, fromStage, instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (!current) {
      if (ins.cmd === 'ARG') {
        const [name, value = ''] = ins.args.split('=', 2);
        globalArgs[name!.trim()] = value.trim();
      }
      continue;
    }
    current.instructions.push(ins);
  }
  return { globalArgs, stages };
}

/** The stage's instructions with the given command word. */
export function all(stage: Stage, cmd: string): Instruction[] {
  return stage.instructions.filter((i) => i.cmd === cmd);
}

/** An exec-form argument list (`["a", "b"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const m = /^(?:--\S+\s+)*(\[.*\])$/.exec(args.trim());
  if (!m) return undefined;
  return JSON.parse(m[1]!) as string[];
}

interface IgnoreRule {
  negate: boolean;
  re: RegExp;
}

export function dockerignore(text: string): (path: string) => boolean {
  const rules: IgnoreRule[] = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: globToRegExp(pattern) };
    });
  return (path: string) => {
    const parts = path.split('/');
    // A path is excluded when it or a folder above it matches the last rule that matches any of them.
    let ignored = false;
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          ignored = !rule.negate;
          break;
        }
      }
    }
    return ignored;
  };
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of folders, including none.
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
