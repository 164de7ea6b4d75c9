/** What `sendAudit` resolves with once the server has acknowledged the event and its hash was checked. */
export interface AuditReceipt {
  /** The event's idempotency id (generated when the event brought none). */
  readonly id: string;
  /** The hash computed locally (auditwire hash, or the Retraced formula for Retraced). */
  readonly hash: string;
  /** The hash the server returned, if it returned one. */
  readonly serverHash?: string | undefined;
  /** The id the server assigned, if it returned one. */
  readonly serverId?: string | undefined;
  /** True only when the server returned a hash and it matched `hash`. */
  readonly verified: boolean;
  /** HTTP requests this event was part of, retries included. */
  readonly attempts: number;
  /** The adapter that delivered it. */
  readonly adapter: string;
}
