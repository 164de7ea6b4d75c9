import { crc32 } from 'node:zlib';

/**
 * The ledger's line framing, as the spool's journal does it: `<crc32 of the body as 8 hex> <body>\n`. The
 * checksum finds a write a crash cut short; it is no defence against tampering (the signed checkpoints are).
 */
export function checksumLine(body: string): string {
  return `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

/** The body of a framed line (given without its newline), or undefined when the checksum does not match. */
export function lineBody(line: string): string | undefined {
  if (line.length < 9 || line[8] !== ' ' || !/^[0-9a-f]{8}$/.test(line.slice(0, 8))) return undefined;
  const body = line.slice(9);
  return Number.parseInt(line.slice(0, 8), 16) === crc32(body) ? body : undefined;
}
