/**
 * A container's environment as the kubelet builds it: envFrom, then env in order (values, `$(VAR)` references to
 * earlier variables, fieldRef, secretKeyRef, configMapKeyRef), and `$(VAR)` expansion in command and args. A
 * missing Secret or key is a CreateContainerConfigError, as upstream.
 */
import { getPath, isPlainObject, type Json, type KubeObject } from '../core/index.ts';

export interface EnvLookups {
  secret(namespace: string, name: string): KubeObject | undefined;
  configMap(namespace: string, name: string): KubeObject | undefined;
}

export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** Expands `$(NAME)` from `vars`; `$$(NAME)` escapes; unknown references stay as written. */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name]! : m;
  });
}

function fieldValue(pod: KubeObject, path: string): string {
  const m = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (m) return pod.metadata[m[1] as 'labels' | 'annotations']?.[m[2]!] ?? '';
  const v = getPath(pod, path.split('.'));
  return v === undefined || v === null ? '' : String(v);
}

function keyOf(pod: KubeObject, ref: Json, kind: 'secret' | 'configmap', lookups: EnvLookups): string | undefined {
  const ns = pod.metadata.namespace!;
  const name = String(ref.name);
  const obj = kind === 'secret' ? lookups.secret(ns, name) : lookups.configMap(ns, name);
  if (!obj) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`${kind} "${name}" not found`);
  }
  const data = (obj.data ?? {}) as Record<string, string>;
  const key = String(ref.key);
  if (!Object.hasOwn(data, key)) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(
      `couldn't find key ${key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${name}`,
    );
  }
  return kind === 'secret' ? Buffer.from(data[key]!, 'base64').toString('utf8') : data[key];
}

function fromSources(pod: KubeObject, container: Json, lookups: EnvLookups): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const src of (container.envFrom as Json[] | undefined) ?? []) {
    const prefix = String(src.prefix ?? '');
    const ref = (src.secretRef ?? src.configMapRef) as Json | undefined;
    if (!ref) continue;
    const secret = src.secretRef !== undefined;
    const obj = secret
      ? lookups.secret(pod.metadata.namespace!, String(ref.name))
      : lookups.configMap(pod.metadata.namespace!, String(ref.name));
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) {
      vars[prefix + k] = secret ? Buffer.from(v, 'base64').toString('utf8') : v;
    }
  }
  return vars;
}

export function containerEnv(pod: KubeObject, container: Json, lookups: EnvLookups): Record<string, string> {
  const vars = fromSources(pod, container, lookups);
  for (const e of (container.env as Json[] | undefined) ?? []) {
    const name = String(e.name);
    const from = e.valueFrom as Json | undefined;
    if (!from) {
      vars[name] = expand(String(e.value ?? ''), vars);
      continue;
    }
    let v: string | undefined;
    if (isPlainObject(from.fieldRef)) v = fieldValue(pod, String(from.fieldRef.fieldPath));
    else if (isPlainObject(from.secretKeyRef)) v = keyOf(pod, from.secretKeyRef, 'secret', lookups);
    else if (isPlainObject(from.configMapKeyRef)) v = keyOf(pod, from.configMapKeyRef, 'configmap', lookups);
    else v = '';
    if (v !== undefined) vars[name] = v;
  }
  return vars;
}
