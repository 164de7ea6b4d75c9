/**
 * Whether `host` (a URL hostname, or a listen address as typed) names this machine only: `localhost`, 127.0.0.0/8,
 * or IPv6 `::1` (bracketed in a URL, bare as a listen address).
 */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
