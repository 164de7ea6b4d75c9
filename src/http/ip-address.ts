import { AuditEventSchema } from '../event/schema.js';

// The event's own `ip` rule, so an address accepted here is never refused later by `sendAudit`.
const IP = AuditEventSchema.shape.ip.unwrap();

const BRACKETED = /^\[([^\]]*)\](?::\d{1,5})?$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

/**
 * Reads one address as a socket or a proxy reports it, or `undefined` when it is not an IP address.
 *
 * Accepted spellings, because real proxies write them: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]`,
 * `[2001:db8::1]:443` and `203.0.113.7:443` (Azure and IIS append ports). A zone id (`fe80::1%eth0`) is removed:
 * it names an interface of this host, not part of the peer's address, and the event schema refuses it.
 * Anything else (`unknown`, RFC 7239 `_obfuscated` names, garbage a client typed into a header) is not an address.
 */
export function parseAddress(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let value = text.trim();
  const bracketed = BRACKETED.exec(value) ?? IPV4_WITH_PORT.exec(value);
  if (bracketed !== null) value = bracketed[1] ?? '';
  const zone = value.indexOf('%');
  if (zone !== -1) value = value.slice(0, zone);
  return IP.safeParse(value).success ? value : undefined;
}
