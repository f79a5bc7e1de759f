/**
 * The hub's configuration as data. One file is one deployment (one CDK stack): a municipality, or an
 * inter-municipal cooperation such as a samkommune that shares targets. `schemas/config.schema.json`
 * is the authority; these types mirror it.
 */
import type { FieldSpec } from '../contract/declaration.ts';
import type { FormTypeDefinition } from '../mapping/definition.ts';

export interface Municipality {
  /** 4-digit kommunenummer */
  kommunenummer: string;
  name: string;
  organisationNumber: string;
}

export interface ProviderGrant {
  municipality: string;
  formTypes: string[];
}

/**
 * One organisation a provider is, as its Maskinporten tokens name it. A vendor acting for the municipality by
 * delegation gets tokens whose `consumer` is the municipality and whose `supplier` is the vendor.
 */
export interface MaskinportenOrganisation {
  /** organisasjonsnummer the tokens are issued for (`consumer.ID` "0192:<orgnr>") */
  consumer: string;
  /** organisasjonsnummer of the vendor acting for the consumer (`supplier.ID`); absent: the consumer itself calls */
  supplier?: string;
  /** Only tokens issued to this Maskinporten client (`client_id`); absent: any client of the organisation */
  clientId?: string;
}

/** Who a provider is in Maskinporten: its organisations and the scope its tokens must hold. */
export interface ProviderMaskinporten {
  /** The deployment's Maskinporten scope, e.g. "halden:skjemaflyt" */
  scope: string;
  organisations: MaskinportenOrganisation[];
}

export interface Provider {
  id: string;
  name: string;
  maskinporten: ProviderMaskinporten;
  grants: ProviderGrant[];
  /** Status changes of the provider's submissions are POSTed here, signed with the secret (HMAC-SHA256). */
  webhook?: {
    url: string;
    secret: SecretRef;
    /** While a secret is rotated: the old one, whose signature goes along with the current one's */
    previousSecret?: SecretRef;
  };
}

/** Capped exponential backoff between attempts: first, first·factor, first·factor², … at most maxDelaySeconds. */
export interface RetrySettings {
  firstDelaySeconds: number;
  factor: number;
  maxDelaySeconds: number;
}

/** Delivery behaviour of a target's queue (retries through visibility timeout, dead letter after maxAttempts). */
export interface DeliverySettings {
  maxAttempts: number;
  batchSize: number;
  /** How long one attempt may take before the message is handed out again */
  visibilityTimeoutSeconds: number;
  /** At most this many batches in flight (the event source mapping's maximum concurrency on AWS) */
  maxConcurrency: number;
  retry?: RetrySettings;
  /** At most this many deliveries started per second (local runner; on AWS maxConcurrency bounds the rate) */
  ratePerSecond?: number;
}

export interface FileDropTransport {
  type: 'file-drop';
  /** Folder; `${VARIABLE}` (e.g. `${SKJEMAFLYT_DATA_DIR}`) is expanded from the environment. */
  dir: string;
  /**
   * Sandbox only (`"environment": "test"`): every delivery fails as a real target would, `rejected` (not retried)
   * or `unavailable` (retried, then FAILED); see shared/targets/simulated-failure.ts
   */
  simulate?: 'rejected' | 'unavailable';
}

/** A secret is never in the configuration: it names where the value comes from. */
export interface SecretRef {
  /** Environment variable holding the value (locally; on AWS set from Secrets Manager by the stack) */
  env: string;
}

export interface HttpTransport {
  type: 'http';
  /** `${VARIABLE}` is expanded from the environment */
  url: string;
  timeoutMs: number;
  auth?: {
    /** e.g. "authorization" */
    header: string;
    /** e.g. "Bearer"; the header value is `<scheme> <secret>` */
    scheme?: string;
    secret: SecretRef;
  };
  /** Specialist systems: where in a JSON answer the created object's id is (dotted path); else the Location header */
  idField?: string;
}

/**
 * KS Fiks IO (Fiks Arkiv V1): the hub sends from its own Fiks IO account to the archive system's account and reads
 * the archive's replies (mottatt, kvittering, feilmelding) from its account's queue. `${VARIABLE}` is expanded in
 * the URLs and the Maskinporten audience, so a demo configuration can point at the local stand-in.
 */
export interface FiksIoTransport {
  type: 'fiks-io';
  /** The Fiks API: https://api.fiks.ks.no (production), https://api.fiks.test.ks.no (test) */
  apiUrl: string;
  /** Fiks IO's AMQP endpoint: amqps://io.fiks.ks.no:5671 (production), amqps://io.fiks.test.ks.no:5671 (test) */
  amqpUrl: string;
  /** The hub's own Fiks IO account: it sends from it, and the replies come to its queue */
  kontoId: string;
  /** The archive system's account: its id, or looked up in the catalog (protocol no.ks.fiks.arkiv.v1) */
  archive: FiksIoRecipient;
  /** The Fiks IO integration that may use the account (Fiks-konfigurasjon: «Integrasjoner») */
  integration: { id: string; password: SecretRef };
  /** The hub's Maskinporten client (scope ks:fiks) */
  maskinporten: MaskinportenClientSettings;
  /** The account's certificate (PEM; the public key registered on the Fiks IO account): signs and decrypts */
  certificate: SecretRef;
  /** Its private key (PEM) */
  privateKey: SecretRef;
  /** How long Fiks IO keeps a message nobody has read; default 48 */
  ttlHours?: number;
  /** How long to wait for the archive's receipt before sending again; default 3600 */
  receiptTimeoutSeconds?: number;
}

export type FiksIoRecipient = { kontoId: string } | { organisasjonsnummer: string; sikkerhetsniva: 3 | 4 };

/** A Maskinporten client (JWT-bearer grant): the assertion is signed with the private key. */
export interface MaskinportenClientSettings {
  /** https://maskinporten.no/token (production), https://test.maskinporten.no/token (test) */
  tokenEndpoint: string;
  /** Maskinporten's issuer, the assertion's audience: https://maskinporten.no/ (production) */
  audience: string;
  clientId: string;
  privateKey: SecretRef;
  /** A key registered on the client (`kid`) … */
  keyId?: string;
  /** … or the virksomhetssertifikat chain (PEM, leaf first) sent as `x5c` */
  certificateChain?: SecretRef;
  resource?: string;
}

export type Transport = FileDropTransport | HttpTransport | FiksIoTransport;

export interface ArchiveTarget {
  id: string;
  kind: 'archive';
  name: string;
  /** The arkivmelding format the archive receives */
  format: 'fiks-arkiv-v1' | 'eformidling';
  transport: Transport;
  delivery: DeliverySettings;
}

export interface FagsystemTarget {
  id: string;
  kind: 'fagsystem';
  name: string;
  /** The specialist system's name, used in file-drop paths: `<dir>/<system>/<trackingId>.<json|xml>` */
  system: string;
  payloadFormat: 'json' | 'xml';
  transport: Transport;
  delivery: DeliverySettings;
}

export type Target = ArchiveTarget | FagsystemTarget;

export interface DeliveryRoute {
  target: string;
  /** Integration model 3: wait for this target's delivery and carry its references. */
  after?: string;
}

export interface SkjermingSettings {
  /** The archive's tilgangskode, e.g. "13" (the municipality's code list) */
  tilgangsrestriksjon: string;
  /** Legal basis, e.g. "Offl. § 13 jf. fvl. § 13 første ledd nr. 1" */
  skjermingshjemmel: string;
  /** What is screened: "tittel", "korrespondansepart", "klassifikasjon" … (Noark skjermingMetadata) */
  skjermingMetadata: string[];
  /** Screening of the documents: H whole, D parts */
  skjermingDokument?: 'H' | 'D';
  /**
   * Years the screening lasts where the hjemmel gives a duration (e.g. 60 for fvl. § 13 personal matters in some
   * archives' practice): skjermingOpphoererDato = the document's date plus these years. Left out: no end date.
   */
  skjermingsvarighetAar?: number;
}

/** A unit or person as the archive knows them: a code it resolves (identifikator or initialer), never prose. */
export interface ArchiveIdentifier {
  identifikator?: string;
  initialer?: string;
}

/** The responsible unit: its code, and its name for the receiving-unit korrespondansepart (IM) */
export interface ArchiveUnit extends ArchiveIdentifier {
  navn?: string;
}

/** What may differ between the municipalities of one deployment (a samkommune's members) within a form type. */
export interface ArchiveUnitSettings {
  /** The journal unit (journalenhet, M308) that registers the post */
  journalenhet?: string;
  /** The archive part (arkivdel) new folders, or journalposts without a folder, go into */
  arkivdel?: string;
  /** The unit responsible for the case (and the receiving IM with erBehandlingsansvarlig); left out: the archive decides */
  administrativEnhet?: ArchiveUnit;
  /** The caseworker responsible, as the archive's code; left out: the archive decides */
  saksansvarlig?: ArchiveIdentifier;
}

/**
 * How the archive files a form type: the archive's own decisions, per deployment. Where each field's content comes
 * from is the mapping definition's business (config/form-types/<id>.json).
 */
export interface ArchiveSettings extends ArchiveUnitSettings {
  /** I incoming; N / X internal notes with / without follow-up */
  journalposttype: 'I' | 'N' | 'X';
  /**
   * M midlertidig registrering (default), S registrert av saksbehandler, F ferdigstilt: never J, which says the
   * records office has checked the entry. Screened records are always M (left for the records office).
   */
  journalstatus?: 'M' | 'S' | 'F';
  skjerming?: SkjermingSettings;
  /** Per municipality (kommunenummer) of the form type: settings that replace the form type's own for that owner */
  perMunicipality?: Record<string, ArchiveUnitSettings>;
}

export interface FormDataRules {
  contentType: 'application/xml' | 'application/json';
  /** Root element of the XML form data */
  root?: string;
  /** Paths that must hold a non-empty value */
  required: string[];
  /** Paths that must hold a valid fødselsnummer / D-number when present */
  nationalIds?: string[];
  /** Paths that must hold a valid organisasjonsnummer when present */
  organisationNumbers?: string[];
  /** Paths that, when present, must hold the kommunenummer the submission was sent for (e.g. the property's) */
  municipalityNumbers?: string[];
  /** The form person who must be the submitter, or be represented by the submitter (see submission/identity.ts) */
  submitterMustBe?: SubmitterRule;
  /**
   * The form's data contract: every field it may carry, by dotted path, with its type (shared/contract/). Receive
   * refuses an undeclared field or a value of the wrong type; absent, the contract is open.
   */
  fields?: Record<string, FieldSpec>;
}

export interface SubmitterRule {
  /** Path of the person's fødselsnummer, which must equal the envelope's submitter.nationalId */
  nationalId: string;
  /** Paths of a representative's fødselsnummer (a guardian): when one names the submitter, that is enough */
  orRepresentative?: string[];
}

/** A form type as the deployment file routes it. */
export interface FormTypeEntry {
  id: string;
  municipalities: string[];
  deliveries: DeliveryRoute[];
  /** Required when a delivery goes to an archive target */
  archive?: ArchiveSettings;
  /**
   * Days the hub keeps the original submission and its documents after the archive has confirmed it
   * (or, without an archive delivery, after every delivery is done). Default 30.
   */
  retentionDays?: number;
  /**
   * Days the table keeps the submission's personal data (the submitter's name, document titles and file names, the
   * name-search entries) after the same point: then only statuses, ids, times and references stay. Default 365.
   */
  personalDataRetentionDays?: number;
}

/** A form type as the hub runs it: the deployment's entry with its mapping definition (form-types/<id>.json). */
export interface FormType extends FormTypeEntry {
  title: string;
  formData: FormDataRules;
  definition: FormTypeDefinition;
  /** The deployment's municipalities (name, organisasjonsnummer): the owners a record names as its receiver */
  owners?: Municipality[];
}

/** What one request may hold, and how often a provider may call (see shared/submission/limits.ts for defaults). */
export interface Limits {
  maxBodyBytes: number;
  maxAttachments: number;
  /** Per attachment, decoded */
  maxAttachmentBytes: number;
  /** formData.content, UTF-8 bytes */
  maxFormDataBytes: number;
  maxFormDataDepth: number;
  /** XML elements and attributes, or JSON values */
  maxFormDataElements: number;
  /** Characters in any one value of the form data */
  maxStringLength: number;
  /** Per provider: sustained requests per second and burst (the local runner; API Gateway throttling on AWS) */
  requestsPerSecond: number;
  burst: number;
}

export interface DeploymentConfig {
  /** Stack id: lower-case, e.g. "halden" or "innherred" */
  deployment: string;
  name: string;
  municipalities: Municipality[];
  providers: Provider[];
  targets: Target[];
  formTypes: FormType[];
  /** Overrides of the default request limits */
  limits?: Partial<Limits>;
  /** `test` accepts synthetic test persons (Tenor, Dolly) as fødselsnummer; production (the default) refuses them */
  environment?: 'production' | 'test';
  /** Which groups or app roles of the staff's identity provider give which municipalities and rights */
  staff?: StaffSettings;
  /** How the deployment runs on AWS (the CDK stack); the local runner ignores it. */
  aws?: AwsSettings;
  /**
   * A demo stack: file-drop targets may be synthesized for AWS (they write to the function's /tmp, which does not
   * outlive the instance). Never for a municipality's real deliveries.
   */
  demo?: boolean;
}

/** What a person may do in a municipality: see its deliveries, or also retry and close failed ones. */
export type StaffRight = 'read' | 'retry-resolve';

export interface StaffAccessRule {
  /** A value of the claim: a group (Entra ID: its object id) or an app role */
  group: string;
  municipalities: string[];
  rights: StaffRight[];
}

export interface StaffSettings {
  /** The token claim listing the person's groups or app roles (default `groups`) */
  claim?: 'groups' | 'roles';
  access: StaffAccessRule[];
}

/** The staff's identity provider: console sign-in (through the hub's backend) and bearer tokens for the admin API. */
export interface StaffIssuer extends TokenIssuer {
  /** The console's app registration */
  clientId: string;
  clientSecret: SecretRef;
  /** Asked for at sign-in (default openid profile) */
  signInScopes?: string[];
  /** Where the console is served, `https://<host>/console/`: its origin's /auth/callback is the redirect URI */
  consoleUrl: string;
  /** A console session's lifetime (default 480) */
  sessionMinutes?: number;
}

/** Who may call the API on AWS: one token issuer, checked by API Gateway's JWT authorizer and again by the handler. */
export interface TokenIssuer {
  /** Exactly the tokens' `iss`, e.g. "https://maskinporten.no/"; must serve /.well-known/openid-configuration */
  issuer: string;
  /** The `aud` (or, without `aud`, `client_id`) the tokens must carry */
  audience: string;
  /** The issuer's keys, for the handler's own check */
  jwksUrl: string;
  /** A token needs at least one of these scopes (providers' default: their Maskinporten scopes; staff: none) */
  scopes?: string[];
}

export interface Throttle {
  /** Sustained requests per second */
  rateLimit: number;
  burstLimit: number;
}

/** The AWS side of a deployment; defaults in infra/cdk/settings.ts. */
export interface AwsSettings {
  /** Pin the stack to this account and region (recommended): a deploy with other credentials fails */
  account?: string;
  region?: string;
  auth: {
    /** Form providers, e.g. Maskinporten */
    providers: TokenIssuer;
    /** Archive staff, e.g. the municipality's own identity provider */
    admins: StaffIssuer;
  };
  /** Addresses subscribed to the operators' alarm topic */
  alarmEmails?: string[];
  alarms?: { oldestMessageAgeMinutes?: number };
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** X-Ray active tracing on every function (default true) */
  tracing?: boolean;
  /** The console's hosting: its own domain (with an ACM certificate in us-east-1) and a WAF web ACL (scope CLOUDFRONT) */
  console?: { domainName?: string; certificateArn?: string; webAclArn?: string };
  logRetentionDays?: number;
  /** Lifecycle of the bucket with originals and documents */
  documents?: { expireAfterDays?: number; noncurrentVersionsExpireAfterDays?: number };
  /** API Gateway throttling: the stage default and per route ("POST /v1/submissions") */
  throttling?: { default?: Throttle; routes?: Record<string, Throttle> };
}

/** A deployment file as written, before its form types are joined with their mapping definitions. */
export type DeploymentFile = Omit<DeploymentConfig, 'formTypes'> & { formTypes: FormTypeEntry[] };

/** All deployments the hub runs (locally: every configuration file; on AWS: the stack's own). */
export interface HubConfig {
  deployments: DeploymentConfig[];
}
