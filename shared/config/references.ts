import type { DeploymentFile } from './types.ts';

type Issue = { file: string; path: string; message: string };

/**
 * What a JSON Schema cannot say: ids that must exist and be unique. (The form types' mappings are checked where
 * they are joined with their definitions: shared/mapping/definitions.ts.)
 */
export function checkReferences(deployments: { file: string; config: DeploymentFile }[]): Issue[] {
  const issues: Issue[] = [];
  const seen = {
    deployment: new Map<string, string>(),
    target: new Map<string, string>(),
    route: new Map<string, string>(),
  };
  const once = (kind: keyof typeof seen, key: string, file: string, path: string, what: string) => {
    const other = seen[kind].get(key);
    if (other) issues.push({ file, path, message: `${what} is also defined in ${other}` });
    else seen[kind].set(key, file);
  };

  for (const { file, config } of deployments) {
    const add = (path: string, message: string) => issues.push({ file, path, message });
    once('deployment', config.deployment, file, '/deployment', `deployment "${config.deployment}"`);
    const municipalities = new Set(config.municipalities.map((m) => m.kommunenummer));
    const targets = new Map(config.targets.map((t) => [t.id, t]));
    config.targets.forEach((t, i) => {
      once('target', t.id, file, `/targets/${i}/id`, `target "${t.id}"`);
      // Fiks IO carries Fiks Arkiv V1 here: the replies the receiver understands are that protocol's.
      if (t.transport.type === 'fiks-io' && (t.kind !== 'archive' || t.format !== 'fiks-arkiv-v1')) {
        add(`/targets/${i}/transport/type`, 'fiks-io is for archive targets in the fiks-arkiv-v1 format');
      }
      // A target that always fails belongs in a sandbox, never where real submissions go.
      if (t.transport.type === 'file-drop' && t.transport.simulate && config.environment !== 'test') {
        add(
          `/targets/${i}/transport/simulate`,
          'simulated failures are for a test environment ("environment": "test")',
        );
      }
    });

    config.formTypes.forEach((formType, f) => {
      const at = `/formTypes/${f}`;
      formType.municipalities.forEach((m, i) => {
        if (!municipalities.has(m)) add(`${at}/municipalities/${i}`, `municipality ${m} is not in this deployment`);
        once('route', `${m}/${formType.id}`, file, `${at}/id`, `form type "${formType.id}" for municipality ${m}`);
      });
      const routed = new Set(formType.deliveries.map((d) => d.target));
      formType.deliveries.forEach((delivery, d) => {
        const target = targets.get(delivery.target);
        if (!target) {
          add(`${at}/deliveries/${d}/target`, `unknown target "${delivery.target}"`);
          return;
        }
        if (delivery.after) {
          if (!routed.has(delivery.after) || delivery.after === delivery.target) {
            add(`${at}/deliveries/${d}/after`, `"${delivery.after}" is not another delivery of this form type`);
          } else if (targets.get(delivery.after)?.kind !== 'archive') {
            add(`${at}/deliveries/${d}/after`, `"${delivery.after}" must be an archive target`);
          } else if (formType.deliveries.find((x) => x.target === delivery.after)?.after) {
            add(
              `${at}/deliveries/${d}/after`,
              `"${delivery.after}" itself waits for another delivery; chains are one step`,
            );
          }
        }
      });
      if (routed.size !== formType.deliveries.length) add(`${at}/deliveries`, 'a target is listed twice');
    });

    // A group gives rights only in this deployment's own municipalities (its stack serves no others).
    config.staff?.access.forEach((rule, r) => {
      rule.municipalities.forEach((m, i) => {
        if (!municipalities.has(m)) {
          add(`/staff/access/${r}/municipalities/${i}`, `municipality ${m} is not in this deployment`);
        }
      });
    });
    if (config.aws && !config.staff) {
      add('/staff', 'no staff access: name the groups (or app roles) that give archive staff their municipalities');
    }
    const signIn = config.aws?.auth.admins;
    if (signIn?.signInScopes && !signIn.signInScopes.includes('openid')) {
      add('/aws/auth/admins/signInScopes', 'sign-in needs the scope "openid"');
    }

    config.providers.forEach((provider, p) => {
      provider.grants.forEach((grant, g) => {
        const at = `/providers/${p}/grants/${g}`;
        if (!municipalities.has(grant.municipality)) {
          add(`${at}/municipality`, `municipality ${grant.municipality} is not in this deployment`);
        }
        grant.formTypes.forEach((id, i) => {
          // A form type may be routed differently per municipality: one entry per group of them.
          const entries = config.formTypes.filter((ft) => ft.id === id);
          if (entries.length === 0) add(`${at}/formTypes/${i}`, `unknown form type "${id}"`);
          else if (!entries.some((ft) => ft.municipalities.includes(grant.municipality))) {
            add(`${at}/formTypes/${i}`, `form type "${id}" is not offered in municipality ${grant.municipality}`);
          }
        });
      });
    });
  }
  return issues;
}
