import type { IncomingMessage } from 'node:http';
import { ValidationError } from '../errors.js';
import type { AuditActor, AuditEvent, AuditTenant } from '../event/schema.js';
import { requestContext, type RequestContextOptions } from './request-context.js';

/**
 * The actions `loginEvent` uses. The outcome is in the action too, because AuditLog.co does not carry `outcome`.
 * @example
 * ```ts
 * const failedLogins = server.events.filter((event) => event.body.action === LOGIN_ACTIONS.failure);
 * ```
 */
export const LOGIN_ACTIONS = { success: 'user.login', failure: 'user.login.failed' } as const;

interface LoginEventCommon extends RequestContextOptions {
  /** The customer account logged into, when known. Frontegg requires one: without it the event cannot go there. */
  tenant?: AuditTenant | undefined;
  /**
   * The login request: adds `ip`, `userAgent` and `url` (`requestContext` with `trustProxy` and `proxyHeader`).
   * The URL is recorded without its query unless `includeQuery` is `true`, because login queries carry secrets
   * (OAuth `?code=`, one-time login links).
   */
  req?: IncomingMessage | undefined;
}

/**
 * A successful login: the user is known and authenticated.
 * @example
 * ```ts
 * loginEvent({ outcome: 'success', user: { id: 'user-42', email: 'jane@acme.example' }, tenant: { id: 'acme' }, req });
 * ```
 */
export interface LoginSucceeded extends LoginEventCommon {
  outcome: 'success';
  /** The authenticated user. Only `id`, `name` and `email` are copied, so passing a whole user record is safe. */
  user: AuditActor;
}

/**
 * A failed login: of a known user (pass `user`), or of nobody known (leave it out: the event is anonymous).
 * @example
 * ```ts
 * loginEvent({ outcome: 'failure', user: { id: 'user-42' }, reason: 'bad_password', req }); // known user
 * loginEvent({ outcome: 'failure', reason: 'unknown_user', req });                         // anonymous
 * ```
 */
export interface LoginFailed extends LoginEventCommon {
  outcome: 'failure';
  /**
   * The account the attempt was for, when it exists (wrong password, locked, MFA failed). Only `id`, `name` and
   * `email` are copied. Leave it out when no such account exists: the event is then anonymous, with no actor.
   */
  user?: AuditActor | undefined;
  /** Why it failed, as a short code you define (`bad_password`, `unknown_user`, `locked`, `mfa_failed`): `fields.reason`. */
  reason?: string | undefined;
  /**
   * OPT-IN, read before using. What was typed as the username, recorded as `fields.attemptedUsername`.
   *
   * Useful to see which accounts an attacker probes, but people type passwords into username fields (one field
   * early), so this value sometimes IS a password, kept in an audit log that many people can read and nobody
   * deletes from. Pass it only when you have checked it looks like one of your usernames (for example, an
   * e-mail address when your usernames are e-mail addresses), and never for a known `user`, whose id says more.
   */
  attemptedUsername?: string | undefined;
}

/**
 * What `loginEvent` takes: one of the two outcomes, with what that outcome allows.
 * @example
 * ```ts
 * const input: LoginEventInput = user ? { outcome: 'failure', user, reason: 'bad_password' } : { outcome: 'failure', reason: 'unknown_user' };
 * ```
 */
export type LoginEventInput = LoginSucceeded | LoginFailed;

/**
 * The audit event of one login attempt, built the way every adapter can store it truthfully:
 *
 * - success: `action: 'user.login'`, the user as `actor`;
 * - failure of a known user: `action: 'user.login.failed'`, `outcome: 'failure'`, that user as `actor`;
 * - failure of an unknown user: the same, with no actor and `anonymous: true` (an actor is never invented);
 * - each with or without `tenant`;
 * - `crud: 'c'`, because a login creates a session, and Retraced requires a `crud`;
 * - no password, ever: there is no member for one, and only `id`/`name`/`email` of `user` and `id`/`name` of
 *   `tenant` are copied, so a user record with a password hash cannot slip in.
 *
 * Valid for all four adapters, except that Frontegg needs a `tenant`: a login event without one is refused by
 * the Frontegg adapter (`$.tenant`). AuditLog.co drops `outcome` and `fields`, which is why the outcome is also
 * in the action. The result is a plain `AuditEvent`: spread it to add members
 * (`{ ...loginEvent(input), severity: 'Medium' }`).
 *
 * @throws ValidationError for a success without `user` or an outcome other than `success`/`failure` (JavaScript
 * callers; TypeScript catches both).
 * @example
 * ```ts
 * app.post('/login', async (req, res) => {
 *   const user = await users.findByEmail(req.body.email);
 *   const ok = user !== undefined && (await verifyPassword(user, req.body.password));
 *   // Not awaited: the answer does not wait for the audit service (failures reach client.on('error')).
 *   void client.sendAudit(
 *     ok
 *       ? loginEvent({ outcome: 'success', user, tenant: user.tenant, req })
 *       : loginEvent({ outcome: 'failure', user, reason: user ? 'bad_password' : 'unknown_user', req }),
 *   );
 *   res.sendStatus(ok ? 204 : 401);
 * });
 * ```
 */
export function loginEvent(input: LoginEventInput): AuditEvent {
  const { outcome } = input;
  if (outcome !== 'success' && outcome !== 'failure') {
    throw new ValidationError([{ path: 'outcome', message: `must be 'success' or 'failure', got ${JSON.stringify(outcome)}` }]);
  }
  const event: AuditEvent = { action: LOGIN_ACTIONS[outcome], crud: 'c', outcome };
  if (input.user !== undefined) event.actor = pickActor(input.user);
  else if (outcome === 'success') {
    throw new ValidationError([{ path: 'user', message: 'required when outcome is success: a login that succeeded has an authenticated user' }]);
  } else event.anonymous = true;
  if (input.tenant !== undefined) event.tenant = pickTenant(input.tenant);
  if (input.outcome === 'failure') {
    const fields: Record<string, string> = {};
    if (input.reason !== undefined && input.reason !== '') fields.reason = input.reason;
    if (input.attemptedUsername !== undefined && input.attemptedUsername !== '') fields.attemptedUsername = input.attemptedUsername;
    if (Object.keys(fields).length > 0) event.fields = fields;
  }
  if (input.req !== undefined) {
    const context = requestContext(input.req, { trustProxy: input.trustProxy, proxyHeader: input.proxyHeader, includeQuery: input.includeQuery ?? false });
    Object.assign(event, context);
  }
  return event;
}

function pickActor(user: AuditActor): AuditActor {
  const actor: AuditActor = { id: user.id };
  if (user.name !== undefined) actor.name = user.name;
  if (user.email !== undefined) actor.email = user.email;
  return actor;
}

function pickTenant(tenant: AuditTenant): AuditTenant {
  const picked: AuditTenant = { id: tenant.id };
  if (tenant.name !== undefined) picked.name = tenant.name;
  return picked;
}
