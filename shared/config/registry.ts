import type { ProviderIdentity } from '../auth/maskinporten.ts';
import type { DeploymentConfig, FormType, HubConfig, Municipality, Provider, Target } from './types.ts';

/** Lookups over a loaded configuration, indexed once per cold start. */
export interface Registry {
  config: HubConfig;
  formType(municipality: string, formTypeId: string): FormType | undefined;
  /** Whether any deployment offers this form type at all (to tell "unknown" from "not here"). */
  knowsFormType(formTypeId: string): boolean;
  municipality(kommunenummer: string): Municipality | undefined;
  target(targetId: string): Target;
  /** May this provider submit this form type for this municipality? */
  mayProviderSubmit(providerId: string, municipality: string, formTypeId: string): boolean;
  provider(providerId: string): Provider | undefined;
  /** Every organisation (and vendor) a provider is, with the scope its tokens must hold */
  providerIdentities: ProviderIdentity[];
}

export function buildRegistry(config: HubConfig): Registry {
  const formTypes = new Map<string, FormType>();
  const formTypeIds = new Set<string>();
  const municipalities = new Map<string, Municipality>();
  const targets = new Map<string, Target>();
  const grants = new Set<string>();
  const providers = new Map<string, Provider>();
  const providerIdentities: ProviderIdentity[] = [];
  const index = (d: DeploymentConfig) => {
    for (const m of d.municipalities) municipalities.set(m.kommunenummer, m);
    for (const t of d.targets) targets.set(t.id, t);
    for (const ft of d.formTypes) {
      formTypeIds.add(ft.id);
      for (const m of ft.municipalities) formTypes.set(`${m}/${ft.id}`, ft);
    }
    for (const p of d.providers) {
      // A provider such as the public form engine appears in several deployments: its grants add up.
      const known = providers.get(p.id);
      providers.set(p.id, known ? { ...known, grants: [...known.grants, ...p.grants] } : p);
      for (const g of p.grants) for (const ft of g.formTypes) grants.add(`${p.id}/${g.municipality}/${ft}`);
      for (const o of p.maskinporten.organisations) {
        providerIdentities.push({ providerId: p.id, ...o, scope: p.maskinporten.scope });
      }
    }
  };
  config.deployments.forEach(index);
  return {
    config,
    formType: (municipality, formTypeId) => formTypes.get(`${municipality}/${formTypeId}`),
    knowsFormType: (formTypeId) => formTypeIds.has(formTypeId),
    municipality: (kommunenummer) => municipalities.get(kommunenummer),
    target: (targetId) => {
      const target = targets.get(targetId);
      if (!target) throw new Error(`Unknown target ${targetId}`);
      return target;
    },
    mayProviderSubmit: (providerId, municipality, formTypeId) =>
      grants.has(`${providerId}/${municipality}/${formTypeId}`),
    provider: (providerId) => providers.get(providerId),
    providerIdentities,
  };
}
