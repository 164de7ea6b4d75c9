import { crc32 } from 'node:zlib';
import { prefixedLeafHash } from './merkle-hash.js';

const CHECKSUM_WIDTH = 8;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const LEAF_PREFIX = 0x00;

/**
 * One group write of records: the `records.log` lines (`<crc32 hex> <canonical JSON>\n`, spec/LEDGER.md section 2)
 * as one Buffer, and each record's leaf hash. Each record's JSON is UTF-8 encoded once, straight into the batch:
 * the checksum and the leaf hash read the bytes already there, where framing and hashing the strings would encode
 * every record three times over.
 *
 * The leaf is SHA-256(0x00 || JSON), and the byte before a line's JSON is the space after its checksum: it is set
 * to 0x00 for the hash and back to a space after, so the hash reads the record in place without a copy.
 */
export function encodeRecordBatch(records: readonly string[]): { readonly bytes: Buffer; readonly leaves: Buffer[] } {
  let size = 0;
  for (const json of records) size += CHECKSUM_WIDTH + 2 + Buffer.byteLength(json, 'utf8');
  const buffer = Buffer.allocUnsafe(size);
  const leaves = new Array<Buffer>(records.length);
  let offset = 0;
  for (let i = 0; i < records.length; i++) {
    const start = offset + CHECKSUM_WIDTH + 1;
    const end = start + buffer.write(records[i] as string, start, 'utf8');
    writeHex32(buffer, crc32(buffer.subarray(start, end)), offset);
    buffer[start - 1] = LEAF_PREFIX;
    leaves[i] = prefixedLeafHash(buffer.subarray(start - 1, end));
    buffer[start - 1] = SPACE;
    buffer[end] = NEWLINE;
    offset = end + 1;
  }
  return { bytes: buffer, leaves };
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** `value.toString(16).padStart(8, '0')` written as bytes at `offset`, without the intermediate strings. */
function writeHex32(buffer: Buffer, value: number, offset: number): void {
  let rest = value;
  for (let i = CHECKSUM_WIDTH - 1; i >= 0; i--) {
    buffer[offset + i] = HEX_DIGITS[rest & 0xf] as number;
    rest >>>= 4;
  }
}
