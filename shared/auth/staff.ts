import type { DeploymentConfig, StaffAccessRule, StaffRight } from '../config/types.ts';
import type { Principal } from './claims.ts';

/**
 * A person's rights come from the groups (or app roles) their identity provider says they have, mapped by the
 * configuration (`staff.access` of each deployment); the token carries no rights of ours. A person in no configured
 * group is signed in with no municipalities: the console tells them so, and every admin call is refused.
 */

export type AdminPrincipal = Extract<Principal, { kind: 'admin' }>;

export interface StaffAccess {
  /** The claim each deployment reads its groups from */
  rules: { claim: 'groups' | 'roles'; rule: StaffAccessRule }[];
}

/** The staff mapping of every deployment the function serves (locally all of them; on AWS the stack's own). */
export function staffAccessOf(deployments: readonly Pick<DeploymentConfig, 'staff'>[]): StaffAccess {
  return {
    rules: deployments.flatMap((d) =>
      (d.staff?.access ?? []).map((rule) => ({ claim: d.staff?.claim ?? 'groups', rule })),
    ),
  };
}

/** Who the person is and what they may do, from the claims of a verified ID token or access token. */
export interface StaffIdentity {
  subject: string;
  name?: string;
}

export function staffPrincipal(claims: Readonly<Record<string, unknown>>, access: StaffAccess): AdminPrincipal {
  const subject = typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined;
  if (!subject) throw new Error('token without sub');
  const name = personName(claims);
  const read = new Set<string>();
  const act = new Set<string>();
  for (const { claim, rule } of access.rules) {
    if (!listClaim(claims[claim]).includes(rule.group)) continue;
    for (const m of rule.municipalities) {
      if (rule.rights.includes('read') || rule.rights.includes('retry-resolve')) read.add(m);
      if (rule.rights.includes('retry-resolve')) act.add(m);
    }
  }
  return {
    kind: 'admin',
    subject,
    ...(name ? { name } : {}),
    municipalities: [...read].sort(),
    canRetryResolve: [...act].sort(),
  };
}

/** Whether the person has that right in that municipality. */
export function hasRight(admin: AdminPrincipal, municipality: string, right: StaffRight): boolean {
  return right === 'read' ? admin.municipalities.includes(municipality) : admin.canRetryResolve.includes(municipality);
}

function listClaim(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A display name: `name`, else Entra ID's `preferred_username` (the UPN), else nothing (the subject is shown). */
function personName(claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const key of ['name', 'preferred_username']) {
    const value = claims[key];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 200);
  }
  return undefined;
}
