import { registryLoader } from '../../shared/config/runtime.ts';
import { formTypeExample, formTypeSchema, listFormTypes } from '../../shared/contract/catalogue.ts';
import { authenticator, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse, NOSNIFF, problems } from '../../shared/http/problem.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';

/**
 * GET /v1/form-types (the caller's own grants), GET /v1/form-types/{id}/schema (the form-data contract: XSD or JSON
 * Schema) and GET /v1/form-types/{id}/example. Reads the configuration only: nothing personal, nothing stored.
 */
export function createHandler(env: FunctionEnv<'form-types'>) {
  const registry = registryLoader(env.config);
  const authenticate = authenticator(env.jwt, async () => (await registry()).providerIdentities);
  return httpFunction('form-types', async (event) => {
    const principal = await authenticate(event);
    const loaded = await registry();
    const id = event.pathParameters?.id ?? '';
    const document = ({ contentType, body }: { contentType: string; body: string }) => ({
      statusCode: 200,
      headers: { 'content-type': contentType, 'cache-control': 'private, no-cache', ...NOSNIFF },
      body,
    });
    switch (event.routeKey) {
      case 'GET /v1/form-types':
        return jsonResponse(200, listFormTypes(principal, loaded), { 'cache-control': 'private, no-cache' });
      case 'GET /v1/form-types/{id}/schema':
        return document(formTypeSchema(principal, loaded, id));
      case 'GET /v1/form-types/{id}/example':
        return document(formTypeExample(principal, loaded, id));
      default:
        throw problems.notFound('Ukjent adresse.');
    }
  });
}

export const handler = atColdStart('form-types', createHandler);
