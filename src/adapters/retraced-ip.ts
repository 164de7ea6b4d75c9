// Retraced `source_ip` rules: shared/reference/wire/README.md section 2 and spec/EVENT.md section 6
// ("IP addresses").

/**
 * The server's own patterns, copied verbatim from retracedhq/retraced `src/handlers/createEvent.ts` (`IPV4_REGEX`,
 * `IPV6_REGEX`; spec/EVENT.md source [R]). Kept byte-for-byte, quirks included, so that the client accepts exactly
 * what the server accepts: IPv4 must not start with `0`; the IPv6 alternation binds loosely (its first branch is
 * anchored only at the start and needs a group on both sides of `::`, its second only at the end), which is why
 * `::1` and `1::` are refused while `2001:db8::1` passes.
 */
const RETRACED_IPV4_REGEX = /^(?!0)(?!.*\.$)((1?\d?\d|25[0-5]|2[0-4]\d)(\.|$)){4}$/;
const RETRACED_IPV6_REGEX =
  /^((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4}))*::((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4}))*|((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4})){7}$/;

/** Whether the Retraced server accepts `ip` as `source_ip` (it tests the IPv4 pattern, then the IPv6 one). */
export function isRetracedSourceIp(ip: string): boolean {
  return RETRACED_IPV4_REGEX.test(ip) || RETRACED_IPV6_REGEX.test(ip);
}

/** Where a common-model `ip` travels: the `source_ip` slot, or `metadata.source_ip` when no accepted spelling exists. */
type RetracedIpPlacement = { readonly sourceIp: string } | { readonly metadataSourceIp: string };

/**
 * Places a normalized common-model `ip` (IPv4 without leading zeros, or IPv6 without zone; IPv4-mapped IPv6 already
 * unmapped by spec/EVENT.md 3.6):
 * - IPv6 starting or ending with `::`, or holding a dotted quad, is respelled in full eight-group form (the same
 *   address in a spelling the vendor pattern accepts); other IPv6 and IPv4 go as given;
 * - IPv4 in `0.0.0.0/8` has no accepted spelling, so it moves to `metadata.source_ip`, which the hash still covers.
 */
export function placeRetracedIp(ip: string): RetracedIpPlacement {
  if (!ip.includes(':')) return ip.startsWith('0.') ? { metadataSourceIp: ip } : { sourceIp: ip };
  const needsFullForm = ip.startsWith('::') || ip.endsWith('::') || ip.includes('.');
  return { sourceIp: needsFullForm ? fullIpv6(ip) : ip };
}

/**
 * `ip` (a valid IPv6 address) as eight colon-separated groups: lowercase hex, no leading zeros, no `::`, a trailing
 * dotted quad converted to two groups (`::1` -> `0:0:0:0:0:0:0:1`, `::1.2.3.4` -> `0:0:0:0:0:0:102:304`).
 */
function fullIpv6(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<number>(zeros).fill(0), ...right].map((group) => group.toString(16)).join(':');
}

function groupsOf(part: string): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((group) => {
    if (!group.includes('.')) return [Number.parseInt(group, 16)];
    const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
}
