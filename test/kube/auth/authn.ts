/**
 * Authentication by bearer token. Requests without a token act as the cluster admin (the emulator is a test
 * fixture, open by default); ServiceAccount tokens identify `system:serviceaccount:<ns>:<name>`, whom RBAC then
 * restricts; an unknown token is refused with 401.
 */
import { randomBytes } from 'node:crypto';

export interface UserInfo {
  name: string;
  groups: string[];
}

export const ADMIN_USER: UserInfo = { name: 'kube-sim:admin', groups: ['system:masters', 'system:authenticated'] };

export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

/**
 * The user a request acts as when it carries Impersonate-User / Impersonate-Group headers (kubectl --as, --as-group):
 * only the admin may impersonate; a ServiceAccount name gets its groups as upstream.
 */
export function impersonated(
  user: UserInfo,
  name: string | undefined,
  groups: string | string[] | undefined,
): UserInfo | undefined {
  if (!name) return user;
  if (user !== ADMIN_USER) return undefined;
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  const base = sa ? serviceAccountUser(sa[1]!, sa[2]!) : { name, groups: ['system:authenticated'] };
  const extra = (Array.isArray(groups) ? groups : groups ? groups.split(',') : []).map((g) => g.trim()).filter(Boolean);
  return { name: base.name, groups: [...new Set([...base.groups, ...extra])] };
}

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();
  readonly adminToken = `kube-sim-admin.${randomBytes(12).toString('hex')}`;

  constructor() {
    this.tokens.set(this.adminToken, ADMIN_USER);
  }

  /** A bearer token for a ServiceAccount (as a TokenRequest or a projected token would give). */
  issueServiceAccountToken(namespace: string, name: string): string {
    const token = `kube-sim-sa.${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, serviceAccountUser(namespace, name));
    return token;
  }

  /** The user of a request, or undefined for a token nobody issued. */
  authenticate(authorization: string | undefined): UserInfo | undefined {
    if (!authorization) return ADMIN_USER;
    const m = /^Bearer\s+(.+)$/i.exec(authorization);
    if (!m) return undefined;
    return this.tokens.get(m[1]!.trim());
  }
}
