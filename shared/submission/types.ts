/** The submission envelope as a form provider posts it (see schemas/submission.schema.json). */
export interface SubmissionEnvelope {
  submissionId: string;
  formType: string;
  municipality: string;
  submittedAt: string;
  submitter: {
    name: string;
    nationalId?: string;
    organisationNumber?: string;
    email?: string;
    phone?: string;
    address?: { street?: string; postalCode?: string; postalTown?: string; country?: string };
  };
  formData: { contentType: 'application/xml' | 'application/json'; content: string };
  attachments?: {
    filename: string;
    contentType: string;
    role: 'main' | 'attachment';
    title?: string;
    /** The bytes inline, or … */
    contentBase64?: string;
    /** … a file uploaded through POST /v1/uploads (shared/uploads/) */
    uploadId?: string;
  }[];
}

/** A document of a submission as stored (S3) and archived. */
export interface StoredDocument {
  filename: string;
  contentType: string;
  role: 'main' | 'attachment';
  title: string;
  /** S3 key */
  key: string;
  size: number;
  sha256: string;
}
