import { ValidationError } from '../errors.js';

/** `base` + `path`, tolerating a trailing slash on the base and keeping any base path (`https://h/prefix`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** Whether `value` is non-empty printable ASCII: what an HTTP header value can carry as is. */
export function isPrintableAscii(value: string): boolean {
  return /^[\u0020-\u007e]+$/.test(value);
}

/** A credential with CR, LF or another control character would let it inject headers: refuse it up front. */
export function assertHeaderSafe(path: string, value: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new ValidationError([{ path, message: 'must not contain control characters (CR/LF would inject headers)' }]);
  }
}
