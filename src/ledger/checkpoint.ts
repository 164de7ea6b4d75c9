/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) note text: the origin line, the tree size in decimal,
 * the base64 root hash, each ending in "\n". Extension lines are allowed after them and ignored here.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n`;
}

/** Reads checkpoint note text; throws a RangeError saying which line is wrong. */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  const [origin, sizeText, rootText] = lines;
  if (origin === undefined || origin === '' || sizeText === undefined || rootText === undefined || lines.length < 4) {
    throw new RangeError('a checkpoint has an origin line, a size line and a root hash line');
  }
  // Decimal without leading zeros (C2SP), within what a number holds exactly.
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new RangeError(`the size line "${sizeText}" is not a tree size`);
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) throw new RangeError('the root hash line is not base64 of 32 bytes');
  return { origin, size: Number(sizeText), root };
}
