/**
 * What a provider may send, as the provider API shows it (GET /v1/form-types): the form types its own grants name,
 * with the municipalities it may send each for, and where to fetch each one's data contract and an example. Never
 * another provider's grants; a form type the caller has no grant for is not found (it is not theirs to read).
 */
import type { Principal } from '../auth/claims.ts';
import type { Registry } from '../config/registry.ts';
import type { FormType } from '../config/types.ts';
import { reject } from '../domain/rejection.ts';
import { type Contract, contractOf } from './declaration.ts';
import { contractJsonSchema, exampleDocument } from './json-schema.ts';
import { contractXsd } from './xsd.ts';

export interface FormTypeListing {
  id: string;
  title: string;
  formData: { contentType: FormType['formData']['contentType']; root?: string };
  municipalities: { kommunenummer: string; name: string }[];
  contract: {
    /** Every field declared: an undeclared one is refused (false: only the rules are checked) */
    closed: boolean;
    schemaUrl: string;
    /** application/xml (an XSD) for XML forms, application/schema+json for JSON forms */
    schemaContentType: string;
    exampleUrl: string;
  };
}

export const XSD_CONTENT_TYPE = 'application/xml; charset=utf-8';
export const JSON_SCHEMA_CONTENT_TYPE = 'application/schema+json; charset=utf-8';

const base = (id: string) => `/v1/form-types/${encodeURIComponent(id)}`;

/** The caller's own grants, by form type, with the municipalities that take each. */
export function listFormTypes(principal: Principal, registry: Registry): { formTypes: FormTypeListing[] } {
  const providerId = providerOf(principal);
  const byId = new Map<string, { formType: FormType; municipalities: Map<string, string> }>();
  for (const grant of registry.provider(providerId)?.grants ?? []) {
    for (const id of grant.formTypes) {
      const formType = registry.formType(grant.municipality, id);
      const municipality = registry.municipality(grant.municipality);
      if (!formType || !municipality || !registry.mayProviderSubmit(providerId, grant.municipality, id)) continue;
      const entry = byId.get(id) ?? { formType, municipalities: new Map() };
      entry.municipalities.set(municipality.kommunenummer, municipality.name);
      byId.set(id, entry);
    }
  }
  const formTypes = [...byId.values()]
    .map(({ formType, municipalities }) => listing(formType, municipalities))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { formTypes };
}

function listing(formType: FormType, municipalities: Map<string, string>): FormTypeListing {
  const contract = contractOf(formType.definition);
  return {
    id: formType.id,
    title: formType.title,
    formData: { contentType: contract.contentType, ...(contract.root ? { root: contract.root } : {}) },
    municipalities: [...municipalities]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kommunenummer, name]) => ({ kommunenummer, name })),
    contract: {
      closed: contract.closed,
      schemaUrl: `${base(formType.id)}/schema`,
      schemaContentType: schemaContentType(contract).split(';')[0] ?? '',
      exampleUrl: `${base(formType.id)}/example`,
    },
  };
}

/** The published contract: an XSD for XML forms, a JSON Schema for JSON forms. */
export function formTypeSchema(
  principal: Principal,
  registry: Registry,
  id: string,
): { contentType: string; body: string } {
  const contract = grantedContract(principal, registry, id);
  const body =
    contract.contentType === 'application/json'
      ? `${JSON.stringify(contractJsonSchema(contract, `https://skjemaflyt.no/form-types/${contract.formType}/schema.json`), null, 2)}\n`
      : contractXsd(contract);
  return { contentType: schemaContentType(contract), body };
}

/** An example of the form data (formData.content), valid against the contract. */
export function formTypeExample(
  principal: Principal,
  registry: Registry,
  id: string,
): { contentType: string; body: string } {
  const contract = grantedContract(principal, registry, id);
  return { contentType: `${contract.contentType}; charset=utf-8`, body: exampleDocument(contract) };
}

function schemaContentType(contract: Contract): string {
  return contract.contentType === 'application/json' ? JSON_SCHEMA_CONTENT_TYPE : XSD_CONTENT_TYPE;
}

function grantedContract(principal: Principal, registry: Registry, id: string): Contract {
  const providerId = providerOf(principal);
  for (const grant of registry.provider(providerId)?.grants ?? []) {
    if (!grant.formTypes.includes(id)) continue;
    const formType = registry.formType(grant.municipality, id);
    if (formType && registry.mayProviderSubmit(providerId, grant.municipality, id)) {
      return contractOf(formType.definition);
    }
  }
  throw reject.notFound(`Skjematypen «${id.slice(0, 100)}» finnes ikke, eller leverandøren har ikke tilgang til den.`);
}

function providerOf(principal: Principal): string {
  if (principal.kind !== 'provider') throw reject.forbidden('Bare skjemaleverandører kan se skjematypene sine her.');
  return principal.providerId;
}
