import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_TTL_ATTRIBUTE } from '../store/table.ts';

/**
 * The console's sessions and sign-ins in progress, kept server side in the hub's table; the browser holds only a
 * random id in an HttpOnly cookie. Items are keyed by a hash of that id, so whoever reads the table cannot turn an
 * item back into a cookie. DynamoDB's TTL (attribute `ttl`) removes them once expired; every read checks the
 * expiry itself too (TTL deletes within days, not on the second).
 *   pk = SESSION#<sha256(id)>   sk = SESSION   a signed-in person: their claims, CSRF token, expiry
 *   pk = SIGNIN#<sha256(id)>    sk = SIGNIN    a sign-in under way: state, nonce, PKCE verifier, where to return
 */

const SESSION_TTL_ATTRIBUTE = TABLE_TTL_ATTRIBUTE;

/** What the session remembers of the ID token: who, and the groups or roles rights are mapped from. */
export type SessionClaims = {
  sub: string;
  name?: string;
  preferred_username?: string;
  groups?: string[];
  roles?: string[];
};

export interface Session {
  claims: SessionClaims;
  /** Sent back by the console in a header on every state-changing call (double submit) */
  csrf: string;
  /** ISO time */
  expiresAt: string;
  /** The ID token, for the identity provider's sign-out (id_token_hint) */
  idToken?: string;
}

export interface SignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A console path (validated before it is stored) */
  returnTo: string;
  expiresAt: string;
}

/** A fresh random id: 256 bits, URL-safe. */
export const randomId = () => randomBytes(32).toString('base64url');

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');
/** Ids the hub makes are 43 base64url characters; anything else is not looked up at all. */
const ID = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  private readonly dynamo: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  constructor(dynamo: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()) {
    this.dynamo = dynamo;
    this.tableName = tableName;
    this.now = now;
  }

  async createSession(session: Omit<Session, 'csrf'>): Promise<{ id: string; session: Session }> {
    const id = randomId();
    const stored: Session = { ...session, csrf: randomId() };
    await this.put('SESSION', id, stored, stored.expiresAt);
    return { id, session: stored };
  }

  getSession(id: string | undefined): Promise<Session | undefined> {
    return this.get<Session>('SESSION', id);
  }

  async deleteSession(id: string | undefined): Promise<Session | undefined> {
    return this.take<Session>('SESSION', id);
  }

  async createSignIn(signIn: SignIn): Promise<string> {
    const id = randomId();
    await this.put('SIGNIN', id, signIn, signIn.expiresAt);
    return id;
  }

  /** A sign-in is used once: read and removed in one step, so a replayed callback finds nothing. */
  takeSignIn(id: string | undefined): Promise<SignIn | undefined> {
    return this.take<SignIn>('SIGNIN', id);
  }

  private async put(kind: string, id: string, value: object, expiresAt: string) {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `${kind}#${hash(id)}`,
          sk: kind,
          type: kind,
          ...value,
          [SESSION_TTL_ATTRIBUTE]: Math.ceil(Date.parse(expiresAt) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  private async get<T>(kind: string, id: string | undefined): Promise<T | undefined> {
    if (!id || !ID.test(id)) return undefined;
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `${kind}#${hash(id)}`, sk: kind }, ConsistentRead: true }),
    );
    return this.live<T>(Item);
  }

  private async take<T>(kind: string, id: string | undefined): Promise<T | undefined> {
    if (!id || !ID.test(id)) return undefined;
    const { Attributes } = await this.dynamo.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: `${kind}#${hash(id)}`, sk: kind },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return this.live<T>(Attributes);
  }

  private live<T>(item: Record<string, unknown> | undefined): T | undefined {
    if (!item || typeof item.expiresAt !== 'string' || Date.parse(item.expiresAt) <= this.now().getTime()) {
      return undefined;
    }
    const { pk: _pk, sk: _sk, type: _type, [SESSION_TTL_ATTRIBUTE]: _ttl, ...value } = item;
    return value as T;
  }
}
