/** Who is calling (bearer tokens, ServiceAccount tokens) and whether RBAC lets them. */
export { ADMIN_USER, Authenticator, impersonated, serviceAccountUser, type UserInfo } from './authn.ts';
export { type Attributes, authorize, forbiddenMessage } from './rbac.ts';
