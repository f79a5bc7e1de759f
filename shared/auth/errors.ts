/** No, or no valid, token: 401. The message says nothing about why a token failed (a prober learns nothing). */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
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
