/**
 * The hub's configuration as data. One file is one deployment (one CDK stack): a municipality, or an
 * inter-municipal cooperation such as a samkommune that shares targets. `schemas/config.schema.json`
 * is the authority; these types mirror it.
 */
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
}

/**
 * How the archive files a form type: the archive's own decisions, per deployment. Where each field's content comes
 * from is the mapping definition's business (config/form-types/<id>.json).
 */
export interface ArchiveSettings {
  /** I incoming; N / X internal notes with / without follow-up */
  journalposttype: 'I' | 'N' | 'X';
  /** Fiks Arkiv journalstatus code, e.g. J (journalført) or M (midlertidig registrering) */
  journalstatus: string;
  /** The unit responsible for the case folder */
  administrativEnhet?: string;
  saksansvarlig?: string;
  /** The receiving unit, registered as a korrespondansepart (EM, or IM on internal notes) */
  mottaker?: { navn: string; administrativEnhet?: string; saksbehandler?: string };
  skjerming?: SkjermingSettings;
  /** The archive part (arkivdel) new folders, or journalposts without a folder, go into */
  arkivdel?: string;
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

/** A form type as the deployment file routes it. */
export interface FormTypeEntry {
  id: string;
  municipalities: string[];
  deliveries: DeliveryRoute[];
  /** Required when a delivery goes to an archive target */
  archive?: ArchiveSettings;
}

/** A form type as the hub runs it: the deployment's entry with its mapping definition (form-types/<id>.json). */
export interface FormType extends FormTypeEntry {
  title: string;
  formData: FormDataRules;
  definition: FormTypeDefinition;
}

export interface DeploymentConfig {
  /** Stack id: lower-case, e.g. "halden" or "innherred" */
  deployment: string;
  name: string;
  municipalities: Municipality[];
  providers: Provider[];
  targets: Target[];
  formTypes: FormType[];
}

/** A deployment file as written, before its form types are joined with their mapping definitions. */
export type DeploymentFile = Omit<DeploymentConfig, 'formTypes'> & { formTypes: FormTypeEntry[] };

/** All deployments the hub runs (locally: every configuration file; on AWS: the stack's own). */
export interface HubConfig {
  deployments: DeploymentConfig[];
}
