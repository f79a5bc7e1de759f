/**
 * The hub's configuration as data. One file is one deployment (one CDK stack): a municipality, or an
 * inter-municipal cooperation such as a samkommune that shares targets. `schemas/config.schema.json`
 * is the authority; these types mirror it.
 */

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

export interface Provider {
  id: string;
  name: string;
  grants: ProviderGrant[];
}

/** Delivery behaviour of a target's queue (retries through visibility timeout, dead letter after maxAttempts). */
export interface DeliverySettings {
  maxAttempts: number;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  maxConcurrency: number;
}

export interface FileDropTransport {
  type: 'file-drop';
  /** Folder; `${SKJEMAFLYT_DATA_DIR}` is expanded. */
  dir: string;
}

/** HTTP transports come with issue 4; the union leaves room for them. */
export type Transport = FileDropTransport;

export interface ArchiveTarget {
  id: string;
  kind: 'archive';
  name: string;
  format: 'fiks-arkiv-v1';
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

/** A value taken from the submission: a path (`soker.fornavn`) or a template (`Søknad – {soker.fornavn}`). */
export type ValueSpec = string;

export interface SkjermingSpec {
  tilgangsrestriksjon: string;
  skjermingshjemmel: string;
  skjermingMetadata: string[];
  skjermingDokument?: 'H' | 'D';
}

export interface KorrespondansepartSpec {
  /** EA (avsender) for citizens and businesses, IA for internal senders */
  type: 'EA' | 'IA' | 'EM' | 'IM';
  navn: ValueSpec;
  personid?: ValueSpec;
  organisasjonid?: ValueSpec;
  postadresse?: ValueSpec[];
  postnummer?: ValueSpec;
  poststed?: ValueSpec;
  epostadresse?: ValueSpec;
  telefonnummer?: ValueSpec;
  administrativEnhet?: ValueSpec;
}

export interface SaksmappeSpec {
  /** new: a folder per submission; external-key: reuse by referanseEksternNoekkel (the archive answers Eksisterende) */
  strategy: 'new' | 'external-key';
  tittel: ValueSpec;
  offentligTittel?: ValueSpec;
  /** Folder key, e.g. the property `{eiendom.kommunenummer}-{eiendom.gardsnummer}/{eiendom.bruksnummer}` */
  noekkel?: ValueSpec;
  klassifikasjon?: {
    klassifikasjonssystem: string;
    klasseID: ValueSpec;
    tittel?: ValueSpec;
    skjermetKlasse?: boolean;
  }[];
  matrikkelnummer?: {
    kommunenummer: ValueSpec;
    gaardsnummer: ValueSpec;
    bruksnummer: ValueSpec;
    festenummer?: ValueSpec;
    seksjonsnummer?: ValueSpec;
  };
  administrativEnhet?: string;
  saksansvarlig?: string;
}

export interface ArchiveMapping {
  journalposttype: 'I' | 'X' | 'N';
  journalstatus: string;
  dokumenttype: string;
  tittel: ValueSpec;
  /** Required when screened: the title without the screened words. */
  offentligTittel?: ValueSpec;
  korrespondansepart: KorrespondansepartSpec[];
  skjerming?: SkjermingSpec;
  saksmappe?: SaksmappeSpec;
  /** Archive the form data itself as a Vedlegg (XML or JSON) */
  archiveFormData?: boolean;
}

export interface FagsystemMapping {
  /** For XML payloads: the root element name. */
  root?: string;
  /** A JSON template; strings holding `{path}` are filled in from the submission (and `archive.*` in model 3). */
  template: Record<string, unknown>;
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
}

export interface FormType {
  id: string;
  title: string;
  municipalities: string[];
  formData: FormDataRules;
  deliveries: DeliveryRoute[];
  archive?: ArchiveMapping;
  /** Payload mappings per fagsystem target id */
  fagsystem?: Record<string, FagsystemMapping>;
  /**
   * Days the hub keeps the original submission and its documents after the archive has confirmed it
   * (or, without an archive delivery, after every delivery is done). Default 30.
   */
  retentionDays?: number;
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
  /** XML elements, or JSON values */
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
}

/** All deployments the hub runs (locally: every configuration file; on AWS: the stack's own). */
export interface HubConfig {
  deployments: DeploymentConfig[];
}
