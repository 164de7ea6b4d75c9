import { randomBytes } from 'node:crypto';

/** Frontegg vendor tokens this server issued (wire README section 4), each valid until its expiry on `Date.now()`. */
export class TokenStore {
  readonly #expiries = new Map<string, number>();

  issue(ttlSeconds: number): string {
    const token = randomBytes(24).toString('hex');
    this.#expiries.set(token, Date.now() + ttlSeconds * 1000);
    return token;
  }

  isValid(token: string): boolean {
    const expiry = this.#expiries.get(token);
    return expiry !== undefined && Date.now() < expiry;
  }

  /** Every token issued so far stops working, as after a server-side revocation. */
  expireAll(): void {
    this.#expiries.clear();
  }
}
