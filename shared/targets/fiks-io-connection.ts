/**
 * A Fiks IO transport's configuration turned into working clients: the secrets read, the Maskinporten client, the
 * Fiks IO API, the sender that signs and encrypts, and the account's key pair for decrypting replies. One per hub
 * account and integration, per process: the sender (the archive's catalog certificate) and the Maskinporten client
 * (tokens) cache what they fetch. Used by the archive adapter (sending) and the receiver (replies).
 */
import type { FiksIoTransport, SecretRef } from '../config/types.ts';
import { fail } from '../delivery/failures.ts';
import { createFiksIoApi, createFiksIoSender, type FiksIoApi, type FiksIoSender } from '../fiks-io/client.ts';
import { type KeyPairIdentity, loadIdentity } from '../fiks-io/cms.ts';
import { createMaskinportenClient, type TokenProvider } from '../fiks-io/maskinporten.ts';

export interface FiksIoConnection {
  transport: FiksIoTransport;
  api: FiksIoApi;
  sender: FiksIoSender;
  tokens: TokenProvider;
  /** The account's certificate and key: signs what the hub sends, decrypts what it receives */
  identity: KeyPairIdentity;
  integrasjonPassord: string;
}

/**
 * Reads a secret's value; undefined when it is not set. On AWS Secrets Manager (shared/aws/secrets.ts: a PEM or
 * two would not fit in Lambda's 4 KB of environment); locally the function's environment (secretsFromVariables).
 */
export type SecretReader = (ref: SecretRef) => Promise<string | undefined>;

/** Secrets from the function's variables (the local hub writes them there). */
export function secretsFromVariables(variable: (name: string) => string | undefined): SecretReader {
  return async (ref) => variable(ref.env) || undefined;
}

const connections = new Map<string, Promise<FiksIoConnection>>();

/** The key that tells hub accounts apart: one connection (and one receiver) per account and integration. */
export function accountKey(transport: FiksIoTransport): string {
  return `${transport.apiUrl} ${transport.amqpUrl} ${transport.kontoId} ${transport.integration.id}`;
}

/**
 * The connection for a transport, built once per process. Throws a `configuration-missing` DeliveryFailure naming
 * the environment variable when a secret is not set or cannot be read (nothing retries that away).
 */
export function fiksIoConnection(transport: FiksIoTransport, secrets: SecretReader): Promise<FiksIoConnection> {
  const key = accountKey(transport);
  let connection = connections.get(key);
  if (!connection) {
    connection = connect(transport, secrets);
    // A failed build is not kept: the secret may be set by the next attempt.
    connection.catch(() => connections.delete(key));
    connections.set(key, connection);
  }
  return connection;
}

async function connect(transport: FiksIoTransport, secrets: SecretReader): Promise<FiksIoConnection> {
  const read = async (ref: SecretRef, what: string) => {
    const value = await secrets(ref);
    if (!value) throw fail.configuration('secret', ref.env, `${what} for Fiks IO er ikke satt (${ref.env}).`);
    return value;
  };
  const { maskinporten } = transport;
  const [integrasjonPassord, certificatePem, privateKeyPem, maskinportenKeyPem, chainPem] = await Promise.all([
    read(transport.integration.password, 'Integrasjonspassordet'),
    read(transport.certificate, 'Sertifikatet'),
    read(transport.privateKey, 'Den private nøkkelen'),
    read(maskinporten.privateKey, 'Maskinporten-nøkkelen'),
    maskinporten.certificateChain ? read(maskinporten.certificateChain, 'Maskinporten-sertifikatet') : undefined,
  ]);
  let identity: KeyPairIdentity;
  try {
    identity = loadIdentity(certificatePem, privateKeyPem);
  } catch {
    throw fail.configuration(
      'secret',
      `${transport.certificate.env}/${transport.privateKey.env}`,
      `Sertifikatet eller nøkkelen for Fiks IO kan ikke leses (${transport.certificate.env}, ${transport.privateKey.env}).`,
    );
  }
  let tokens: TokenProvider;
  try {
    tokens = createMaskinportenClient({
      audience: maskinporten.audience,
      tokenEndpoint: maskinporten.tokenEndpoint,
      clientId: maskinporten.clientId,
      privateKeyPem: maskinportenKeyPem,
      ...(maskinporten.keyId ? { keyId: maskinporten.keyId } : {}),
      ...(chainPem ? { certificateChainPem: chainPem } : {}),
      ...(maskinporten.resource ? { resource: maskinporten.resource } : {}),
    });
  } catch {
    throw fail.configuration(
      'secret',
      maskinporten.privateKey.env,
      `Maskinporten-nøkkelen kan ikke leses (${maskinporten.privateKey.env}).`,
    );
  }
  const api = createFiksIoApi({
    apiBaseUrl: transport.apiUrl,
    integrasjonId: transport.integration.id,
    integrasjonPassord,
    tokens,
  });
  const sender = createFiksIoSender({ api, kontoId: transport.kontoId, signer: identity });
  return { transport, api, sender, tokens, identity, integrasjonPassord };
}

/** Forgets every connection (tests that start a new local Fiks IO in the same process). */
export function resetFiksIoConnections(): void {
  connections.clear();
}
