/** No, or no valid, token: 401. The message says nothing about why a token failed (a prober learns nothing). */
export class AuthenticationError extends Error {
  /**
   * For the 401's WWW-Authenticate (RFC 6750): no token at all, or one that failed. `expired` only for a token whose
   * signature and issuer were good (the client should get a new one; telling so reveals nothing the token does not).
   */
  readonly reason: 'missing' | 'invalid' | 'expired';

  constructor(message: string, reason: 'missing' | 'invalid' | 'expired' = 'invalid') {
    super(message);
    this.name = 'AuthenticationError';
    this.reason = reason;
  }
}

/** A valid token that names no configured provider, or lacks its scope: 403, naming the organisation, never the token. */
export class NotRecognisedError extends Error {
  readonly detail: string;

  constructor(detail: string) {
    super(detail);
    this.name = 'NotRecognisedError';
    this.detail = detail;
  }
}
