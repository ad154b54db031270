/** The set of served resources, looked up by URL segments, by kind, or by the names kubectl accepts. */
import type { ResourceType } from './types.ts';

export class Registry {
  private types: ResourceType[] = [];

  constructor(initial: readonly ResourceType[]) {
    this.types = [...initial];
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  /** Adds resources, replacing any with the same group, version and resource. */
  set(types: readonly ResourceType[]): void {
    const same = (a: ResourceType, b: ResourceType) =>
      a.group === b.group && a.version === b.version && a.resource === b.resource;
    this.types = [...this.types.filter((t) => !types.some((n) => same(t, n))), ...types];
  }

  removeGroupResource(group: string, resource: string): void {
    this.types = this.types.filter((t) => !(t.group === group && t.resource === resource));
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  /** The first served version of a storage resource (controllers address resources by storage key). */
  byStorage(storage: string): ResourceType | undefined {
    return this.types.find((t) => t.storage === storage);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** Groups in discovery order: the core group first, then by name. */
  groups(): { group: string; versions: string[] }[] {
    const map = new Map<string, Set<string>>();
    for (const t of this.types) {
      if (!map.has(t.group)) map.set(t.group, new Set());
      map.get(t.group)!.add(t.version);
    }
    return [...map.entries()]
      .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
      .map(([group, versions]) => ({ group, versions: [...versions].sort().reverse() }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }
}
