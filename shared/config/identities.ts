import { isValidOrganisationNumber } from '../submission/identifiers.ts';
import type { DeploymentFile } from './types.ts';

type Issue = { file: string; path: string; message: string };

/**
 * The providers' Maskinporten organisations: real organisation numbers (mod-11), and no token that two providers
 * could both claim. Two providers may share an organisation (and vendor) only when each names its own client.
 */
export function checkProviderIdentities(deployments: { file: string; config: DeploymentFile }[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, { providerId: string; clientId?: string; file: string; path: string }[]>();
  for (const { file, config } of deployments) {
    config.providers.forEach((provider, p) => {
      provider.maskinporten.organisations.forEach((organisation, o) => {
        const at = `/providers/${p}/maskinporten/organisations/${o}`;
        for (const field of ['consumer', 'supplier'] as const) {
          const value = organisation[field];
          if (value !== undefined && !isValidOrganisationNumber(value)) {
            issues.push({
              file,
              path: `${at}/${field}`,
              message: `${value} is not a valid organisasjonsnummer (the control digit does not match)`,
            });
          }
        }
        if (organisation.supplier !== undefined && organisation.supplier === organisation.consumer) {
          issues.push({
            file,
            path: `${at}/supplier`,
            message: 'the supplier is the consumer itself; leave supplier out when the organisation calls by itself',
          });
        }
        const key = `${organisation.consumer}/${organisation.supplier ?? ''}`;
        const others = seen.get(key) ?? [];
        const clash = others.find(
          (other) =>
            other.providerId !== provider.id &&
            (other.clientId === organisation.clientId || (!other.clientId && !organisation.clientId)),
        );
        if (clash) {
          issues.push({
            file,
            path: at,
            message:
              `organisation ${organisation.consumer}${organisation.supplier ? ` with supplier ${organisation.supplier}` : ''} ` +
              `is also provider "${clash.providerId}" (${clash.file} ${clash.path}): a token could be either; ` +
              'give each its own clientId',
          });
        }
        others.push({
          providerId: provider.id,
          ...(organisation.clientId ? { clientId: organisation.clientId } : {}),
          file,
          path: at,
        });
        seen.set(key, others);
      });
    });
  }
  return issues;
}
