// The local Maskinporten token endpoint lives with the local Fiks IO (the hub starts it too).
export { startTokenEndpoint, type TokenEndpoint } from '../../../infra/local/fiks-io/maskinporten.ts';
