import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Originals and documents of submissions in S3, under `submissions/<trackingId>/`. */
export class DocumentStore {
  private readonly s3: S3Client;
  private readonly bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  static originalKey(trackingId: string): string {
    return `submissions/${trackingId}/original.json`;
  }

  /** The envelope without attachment contents: what the mappings read. */
  static formKey(trackingId: string): string {
    return `submissions/${trackingId}/form.json`;
  }

  static documentKey(trackingId: string, filename: string): string {
    return `submissions/${trackingId}/documents/${filename}`;
  }

  /** What the hub made of a submission for one target (the arkivmelding, the payload), kept for the console. */
  static producedKey(trackingId: string, targetId: string, filename: string): string {
    return `submissions/${trackingId}/deliveries/${targetId}/${filename}`;
  }

  async put(key: string, body: Uint8Array | string, contentType: string, sha256?: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(sha256 ? { Metadata: { sha256 } } : {}),
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!Body) throw new Error(`Empty object ${key}`);
    return Body.transformToByteArray();
  }
}
