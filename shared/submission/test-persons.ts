/**
 * Synthetic test persons (Tenor, Dolly: see identifiers.ts) are accepted where the deployment says it is a test
 * environment (`"environment": "test"` in its configuration file), and refused everywhere else with a message
 * that says so: production never files a record about a person who does not exist.
 */
import type { HubConfig } from '../config/types.ts';

/** Whether the deployment that receives for this municipality is a test environment. */
export function acceptsSyntheticPersons(config: HubConfig, kommunenummer: string | undefined): boolean {
  if (kommunenummer === undefined) return false;
  const deployment = config.deployments.find((d) => d.municipalities.some((m) => m.kommunenummer === kommunenummer));
  return deployment?.environment === 'test';
}
