import { AuthenticationError, DeliveryError } from '../errors.js';
import { markCredentialFailure } from './credential-failure.js';
import { isRetryableStatus } from '../transport/retry-policy.js';
import type { Credentials, ExchangeContext, HttpResponse } from './adapter.js';
import { isPrintableAscii } from './http-helpers.js';
import { MAX_TIMER_MS } from '../internal/duration.js';

// Frontegg's vendor token (shared/reference/wire/README.md section 4): POST {gateway}/auth/vendor with
// {clientId, secret} answers {token, expiresIn} (seconds). The vendor SDK renews at 80% of expiresIn.

/** Share of the token's lifetime after which it is renewed. */
const RENEW_AT = 0.8;
/** A token this close to its end (at most a tenth of its lifetime) is not used: the request could arrive late. */
const EXPIRY_MARGIN_MS = 5_000;
/** After a failed background renewal, the current token is kept this long before trying again. */
const BACKGROUND_RETRY_MS = 10_000;
/** Tokens remembered for masking after they were replaced: a late error may still quote one. */
const REMEMBERED_TOKENS = 8;
/**
 * The shortest time between the starts of two background renewals. A server that issues tokens for a moment
 * (`expiresIn: 0.001`) would otherwise have an idle client renew hundreds of times a second.
 */
const MIN_RENEWAL_INTERVAL_MS = 1_000;

interface Token {
  readonly value: string;
  readonly renewAt: number;
  /** Last moment the token is sent: its expiry minus a margin. */
  readonly useUntil: number;
}

/**
 * Holds the Frontegg vendor token: fetched once, shared by every sender, renewed before it expires, and replaced
 * after a 401. At most one exchange is in flight at a time, however many requests need a token at once.
 *
 * At 80% of its lifetime an unref'd timer renews the token in the background (as Frontegg's SDK does), and
 * until its end the current token is still used, so sends never wait for a renewal that could happen early. A
 * send that finds the token past 80% (the timer can be late) starts the same background renewal.
 */
export class FronteggTokenSource {
  #credentials: Credentials | undefined;
  #token: Token | undefined;
  #inFlight: Promise<Token> | undefined;
  /** Bumped by new credentials, so an exchange started with the old ones cannot install its token. */
  #generation = 0;
  #backgroundPausedUntil = 0;
  /** When the last exchange began, for the floor between background renewals. */
  #lastExchangeAt = Number.NEGATIVE_INFINITY;
  #renewalTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Credentials and the latest tokens, for the client's redactor. */
  #secrets: string[] = [];

  constructor(
    private readonly authUrl: string,
    credentials: Credentials | undefined,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.#credentials = credentials;
  }

  /** Replaces the credentials and fetches a token with them now (rejects with `AuthenticationError` on a 401). */
  async authenticate(credentials: Credentials, context: ExchangeContext): Promise<void> {
    this.#credentials = credentials;
    this.#token = undefined;
    this.#inFlight = undefined;
    this.#generation++;
    await this.#renew(context);
  }

  /**
   * A token to send with. `rejectedToken` is the one a 401 refused: it is dropped unless another sender has
   * already replaced it.
   */
  async token(context: ExchangeContext, rejectedToken?: string): Promise<string> {
    if (rejectedToken !== undefined && this.#token?.value === rejectedToken) this.#token = undefined;
    const token = this.#token;
    const now = this.now();
    if (token !== undefined && now < token.useUntil) {
      if (now >= token.renewAt && now >= this.#backgroundPausedUntil && now - this.#lastExchangeAt >= MIN_RENEWAL_INTERVAL_MS) {
        this.#renewInBackground(context);
      }
      return token.value;
    }
    return (await this.#renew(context)).value;
  }

  /** Every credential this source holds or held lately: the client id, the API key, the latest tokens. */
  secrets(): readonly string[] {
    const credentials = this.#credentials;
    return credentials === undefined ? this.#secrets : [credentials.clientId, credentials.apiKey, ...this.#secrets];
  }

  /** Stops the renewal timer; called when the client closes. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#renewalTimer);
  }

  #renewInBackground(context: ExchangeContext): void {
    this.#renew(context).catch(() => {
      // The current token is still good: try again after a pause while it lasts. A send that finds the token
      // expired waits for a renewal of its own and reports that one's failure.
      this.#backgroundPausedUntil = this.now() + BACKGROUND_RETRY_MS;
      const token = this.#token;
      if (token !== undefined && this.#backgroundPausedUntil < token.useUntil) this.#scheduleRenewal(BACKGROUND_RETRY_MS, context);
    });
  }

  #scheduleRenewal(delayMs: number, context: ExchangeContext): void {
    clearTimeout(this.#renewalTimer);
    this.#renewalTimer = undefined;
    const delay = Math.max(delayMs, this.#lastExchangeAt + MIN_RENEWAL_INTERVAL_MS - this.now(), 0);
    // A token that is no longer usable by then is not worth renewing in the background: the next send renews it.
    const token = this.#token;
    if (this.#closed || !(delay <= MAX_TIMER_MS) || token === undefined || this.now() + delay >= token.useUntil) return;
    this.#renewalTimer = setTimeout(() => {
      this.#renewalTimer = undefined;
      this.#renewInBackground(context);
    }, delay);
    // Never what keeps a process alive.
    this.#renewalTimer.unref();
  }

  #renew(context: ExchangeContext): Promise<Token> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const generation = this.#generation;
    const exchange = this.#exchange(context).then(
      (token) => {
        this.#secrets = [token.value, ...this.#secrets.filter((value) => value !== token.value)].slice(0, REMEMBERED_TOKENS);
        if (generation === this.#generation) {
          this.#token = token;
          this.#inFlight = undefined;
          this.#scheduleRenewal(token.renewAt - this.now(), context);
        }
        return token;
      },
      (error: unknown) => {
        if (generation === this.#generation) this.#inFlight = undefined;
        // Whatever /auth/vendor answered, no event was sent: a spool keeps them (see isDoneForSpool).
        throw markCredentialFailure(error);
      },
    );
    this.#inFlight = exchange;
    return exchange;
  }

  async #exchange(context: ExchangeContext): Promise<Token> {
    const credentials = this.#credentials;
    if (credentials === undefined) {
      throw new AuthenticationError(
        'frontegg: no credentials; call init(clientId, apiKey) first, or pass the clientId and apiKey options (FRONTEGG_CLIENT_ID, FRONTEGG_API_KEY)',
      );
    }
    const startedAt = this.now();
    this.#lastExchangeAt = startedAt;
    const response = await context.exchange(
      {
        method: 'POST',
        url: this.authUrl,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ clientId: credentials.clientId, secret: credentials.apiKey }),
      },
      context.signal,
    );
    return readToken(response, startedAt);
  }
}

function readToken(response: HttpResponse, startedAt: number): Token {
  if (response.status === 401 || response.status === 403) {
    throw new AuthenticationError(`frontegg: the client id and API key were refused by /auth/vendor (HTTP ${response.status})`, {
      status: response.status,
    });
  }
  if (response.status < 200 || response.status > 299) {
    throw new DeliveryError(`frontegg: token exchange failed with HTTP ${response.status}`, {
      status: response.status,
      retryable: isRetryableStatus(response.status),
    });
  }
  let parsed: { token?: unknown; expiresIn?: unknown };
  try {
    parsed = JSON.parse(response.body) as typeof parsed;
  } catch {
    parsed = {};
  }
  if (typeof parsed.token !== 'string' || !isPrintableAscii(parsed.token)) {
    throw new DeliveryError('frontegg: /auth/vendor answered without a usable token', { status: response.status });
  }
  // Lifetime counted from when the exchange began, so a slow answer errs toward renewing early. Without a usable
  // expiresIn the token is kept until a 401 says otherwise.
  const lifetimeMs = typeof parsed.expiresIn === 'number' && parsed.expiresIn > 0 ? parsed.expiresIn * 1000 : Number.POSITIVE_INFINITY;
  const margin = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
  return { value: parsed.token, renewAt: startedAt + lifetimeMs * RENEW_AT, useUntil: startedAt + lifetimeMs - margin };
}
