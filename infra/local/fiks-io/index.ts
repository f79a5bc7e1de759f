/**
 * The local Fiks IO, started by the hub and the tests like DynamoDB Local: RabbitMQ (Debian's rabbitmq-server as a
 * plain process), the Fiks IO service on 127.0.0.1, and a simulated archive system on its own account.
 */
import { createFiksIoApi } from '../../../shared/fiks-io/client.ts';
import type { KeyPairIdentity } from '../../../shared/fiks-io/cms.ts';
import { FIKS_ARKIV_PROTOKOLL } from '../../../shared/fiks-io/fiks-arkiv.ts';
import type { TokenProvider } from '../../../shared/fiks-io/maskinporten.ts';
import type { ReceivedMessage, ReceiverLog } from '../../../shared/fiks-io/receiver.ts';
import { type ArchiveFault, createSimulatedArchive, type SimulatedArchive } from './archive-system.ts';
import { type Broker, startRabbitMq } from './rabbitmq.ts';
import { createFiksIoService, type FiksIoService, type LocalAccount } from './service.ts';

export interface LocalFiksIoOptions {
  hub: {
    kontoId: string;
    certificatePem: string;
    integrasjonId: string;
    integrasjonPassord: string;
    organisasjonsnummer?: string;
  };
  /** More sending accounts besides `hub` (say, one per municipality), each with its own integration. */
  otherHubs?: LocalFiksIoOptions['hub'][];
  archive: {
    kontoId: string;
    identity: KeyPairIdentity;
    integrasjonId: string;
    integrasjonPassord: string;
    tokens: TokenProvider;
    /** Found by lookup `ORG_NO.<orgnr>` for protocol no.ks.fiks.arkiv.v1. */
    organisasjonsnummer?: string;
    faultPolicy?: (message: ReceivedMessage) => ArchiveFault | undefined;
  };
  /** Checks a Maskinporten access token (valid, scope ks:fiks). */
  verifyToken: (token: string) => Promise<boolean>;
  dataDir?: string;
  dokumentlagerThresholdBytes?: number;
  log?: ReceiverLog;
}

export interface LocalFiksIo {
  /** The Fiks API base URL (send, catalog, Dokumentlager). */
  apiBaseUrl: string;
  /** The AMQP URL (no credentials: those are the integration's). */
  amqpUrl: string;
  broker: Broker;
  service: FiksIoService;
  archive: SimulatedArchive;
  stop(): Promise<void>;
}

export async function startLocalFiksIo(options: LocalFiksIoOptions): Promise<LocalFiksIo> {
  const hubs = [options.hub, ...(options.otherHubs ?? [])];
  const accounts: LocalAccount[] = [
    ...hubs.map((hub) => ({
      kontoId: hub.kontoId,
      kontoNavn: 'Skjemaflyt',
      fiksOrgId: '00000000-0000-4000-8000-000000000001',
      fiksOrgNavn: 'Skjemaflyt (lokal)',
      certificatePem: hub.certificatePem,
      ...(hub.organisasjonsnummer ? { organisasjonsnummer: hub.organisasjonsnummer } : {}),
    })),
    {
      kontoId: options.archive.kontoId,
      kontoNavn: 'Simulert arkivsystem',
      fiksOrgId: '00000000-0000-4000-8000-000000000002',
      fiksOrgNavn: 'Lokal kommune',
      certificatePem: options.archive.identity.certificatePem,
      ...(options.archive.organisasjonsnummer ? { organisasjonsnummer: options.archive.organisasjonsnummer } : {}),
      protokoller: [{ meldingProtokoll: FIKS_ARKIV_PROTOKOLL, sikkerhetsniva: 4 }],
    },
  ];
  // The service first (the broker asks it about logins), then the broker, then the queues.
  let brokerAdminUrl = '';
  const service = await createFiksIoService({
    get brokerAdminUrl() {
      return brokerAdminUrl;
    },
    accounts,
    integrations: [
      ...hubs.map((hub) => ({
        integrasjonId: hub.integrasjonId,
        integrasjonPassord: hub.integrasjonPassord,
        kontoer: [hub.kontoId],
      })),
      {
        integrasjonId: options.archive.integrasjonId,
        integrasjonPassord: options.archive.integrasjonPassord,
        kontoer: [options.archive.kontoId],
      },
    ],
    verifyToken: options.verifyToken,
    ...(options.dokumentlagerThresholdBytes
      ? { dokumentlagerThresholdBytes: options.dokumentlagerThresholdBytes }
      : {}),
  });
  let broker: Broker | undefined;
  try {
    broker = await startRabbitMq({
      httpAuthUrl: service.authUrl,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    brokerAdminUrl = broker.adminUrl;
    await service.connect();
    const archive = createSimulatedArchive({
      api: createFiksIoApi({
        apiBaseUrl: service.url,
        integrasjonId: options.archive.integrasjonId,
        integrasjonPassord: options.archive.integrasjonPassord,
        tokens: options.archive.tokens,
      }),
      amqpUrl: broker.url,
      kontoId: options.archive.kontoId,
      integrasjonId: options.archive.integrasjonId,
      integrasjonPassord: options.archive.integrasjonPassord,
      tokens: options.archive.tokens,
      identity: options.archive.identity,
      ...(options.archive.faultPolicy ? { faultPolicy: options.archive.faultPolicy } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    await archive.start();
    const running = broker;
    return {
      apiBaseUrl: service.url,
      amqpUrl: broker.url,
      broker,
      service,
      archive,
      async stop() {
        await archive.close();
        await service.close();
        await running.stop();
      },
    };
  } catch (error) {
    await service.close();
    await broker?.stop();
    throw error;
  }
}
