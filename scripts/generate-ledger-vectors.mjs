// Writes spec/vectors/ledger.json (run by scripts/generate-vectors.mjs, `npm run spec:vectors`).
//
// The expected values come from code independent of auditwire's ledger: the `canonicalize` package (RFC 8785)
// for the leaf bytes, node:crypto for SHA-256 and Ed25519, and RFC 6962 section 2.1 written out recursively
// below (MTH, PATH, PROOF). Keys come from fixed seeds, and Ed25519 signatures are deterministic (RFC 8032), so
// the file is the same on every run.
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import canonicalize from 'canonicalize';

const sha = (...parts) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();
const leafHash = (text) => sha(Buffer.from([0]), Buffer.from(text, 'utf8'));
const split = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
const mth = (leaves) =>
  leaves.length === 0 ? sha() : leaves.length === 1 ? leaves[0] : sha(Buffer.from([1]), mth(leaves.slice(0, split(leaves.length))), mth(leaves.slice(split(leaves.length))));
const path = (m, leaves) => {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
};
const subproof = (m, leaves, whole) => {
  if (m === leaves.length) return whole ? [] : [mth(leaves)];
  const k = split(leaves.length);
  return m <= k ? [...subproof(m, leaves.slice(0, k), whole), mth(leaves.slice(k))] : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
};
const consistency = (m, leaves) => (m === 0 ? [] : subproof(m, leaves, true));
const b64 = (buffer) => buffer.toString('base64');

/** A signed-note signer from a fixed 32-byte seed (PKCS#8 DER prefix for Ed25519, RFC 8410). */
function signer(name, seedByte) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, seedByte)]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const raw = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x, 'base64url');
  const id = sha(Buffer.from(`${name}\n`), Buffer.from([1]), raw).subarray(0, 4);
  return {
    publicKey: `${name}+${id.toString('hex')}+${b64(Buffer.concat([Buffer.from([1]), raw]))}`,
    sign: (text) => `${text}\n\u2014 ${name} ${b64(Buffer.concat([id, sign(null, Buffer.from(text), privateKey)]))}\n`,
  };
}

const ORIGIN = 'example.com/audit-ledger';
const key = signer(ORIGIN, 7);
const otherKey = signer(ORIGIN, 9);
const checkpointText = (size, root) => `${ORIGIN}\n${size}\n${b64(root)}\n`;

const records = Array.from({ length: 12 }, (_, i) => ({
  id: i === 5 ? 'évènement-5 ✓' : `evt-${i}`,
  hash: createHash('sha256').update(`event ${i}`).digest('hex'),
  ...(i % 3 === 2 ? {} : { serverId: `srv-${1000 + i}`, serverHash: createHash('sha256').update(`event ${i}`).digest('hex') }),
  verified: i % 3 !== 2,
  adapter: ['auditlog', 'retraced', 'logzab', 'frontegg'][i % 4],
  time: `2026-03-0${1 + (i % 9)}T10:00:0${i % 10}.000Z`,
  ackedAt: `2026-03-0${1 + (i % 9)}T10:00:0${i % 10}.250Z`,
}));
const leaves = records.map((record) => leafHash(canonicalize(record)));
const rootOf = (n) => mth(leaves.slice(0, n));
const vectors = [];
const add = (vector) => vectors.push(vector);

records.forEach((record, i) =>
  add({ name: `leaf-${i}`, description: 'a record\'s leaf: SHA-256(0x00 || RFC 8785 canonical JSON)', check: 'leaf', record, expect: { canonical: canonicalize(record), leafHash: b64(leaves[i]) } }),
);
for (let n = 0; n <= 12; n++) add({ name: `root-${n}`, description: `MTH of the first ${n} records`, check: 'root', size: n, expect: { root: b64(rootOf(n)) } });
for (let n = 1; n <= 12; n++) {
  for (let m = 0; m < n; m++) {
    if (n > 8 && m % 3 !== 1 && m !== n - 1) continue;
    add({ name: `inclusion-${m}-of-${n}`, description: 'RFC 6962 PATH', check: 'inclusion', leafIndex: m, treeSize: n, leafHash: b64(leaves[m]), proof: path(m, leaves.slice(0, n)).map(b64), root: b64(rootOf(n)), expect: { valid: true } });
  }
}
for (let n = 0; n <= 12; n++) {
  for (let m = 0; m <= n; m++) {
    if (n > 8 && m % 3 !== 0 && m !== n) continue;
    add({ name: `consistency-${m}-to-${n}`, description: 'RFC 6962 PROOF', check: 'consistency', oldSize: m, newSize: n, oldRoot: b64(rootOf(m)), newRoot: b64(rootOf(n)), proof: consistency(m, leaves.slice(0, n)).map(b64), expect: { valid: true } });
  }
}

// Bad proofs: each must be refused.
const good = path(5, leaves.slice(0, 11));
const flip = (hash) => Buffer.from(hash.map((byte, j) => (j === 31 ? byte ^ 0x01 : byte)));
const badInclusion = (name, description, changes) =>
  add({ name, description, check: 'inclusion', leafIndex: 5, treeSize: 11, leafHash: b64(leaves[5]), proof: good.map(b64), root: b64(rootOf(11)), ...changes, expect: { valid: false } });
badInclusion('bad-proof-flipped-hash', 'one bit of one proof hash flipped', { proof: good.map((hash, i) => b64(i === 1 ? flip(hash) : hash)) });
badInclusion('bad-proof-wrong-index', 'the proof of leaf 5 presented for leaf 4', { leafIndex: 4 });
badInclusion('bad-proof-wrong-leaf', 'the proof of leaf 5 with leaf 6\'s hash', { leafHash: b64(leaves[6]) });
badInclusion('bad-proof-short', 'the last proof hash missing', { proof: good.slice(0, -1).map(b64) });
badInclusion('bad-proof-long', 'an extra hash after the proof', { proof: [...good, leaves[0]].map(b64) });
badInclusion('bad-proof-index-past-size', 'leaf index not below the tree size', { leafIndex: 11 });
const goodConsistency = consistency(6, leaves.slice(0, 11));
const badConsistency = (name, description, changes) =>
  add({ name, description, check: 'consistency', oldSize: 6, newSize: 11, oldRoot: b64(rootOf(6)), newRoot: b64(rootOf(11)), proof: goodConsistency.map(b64), ...changes, expect: { valid: false } });
const rewritten = [...leaves.slice(0, 6)];
rewritten[2] = leafHash('{"id":"rewritten"}');
badConsistency('bad-consistency-rewritten-history', 'the old tree had a different leaf 2 (a rewritten ledger)', { oldRoot: b64(mth(rewritten)) });
badConsistency('bad-consistency-flipped-hash', 'one bit of one proof hash flipped', { proof: goodConsistency.map((hash, i) => b64(i === 0 ? flip(hash) : hash)) });
badConsistency('bad-consistency-shrinking', 'a newer tree smaller than the old one', { oldSize: 11, newSize: 6, oldRoot: b64(rootOf(11)), newRoot: b64(rootOf(6)) });

// Checkpoints.
const note12 = key.sign(checkpointText(12, rootOf(12)));
const note0 = key.sign(checkpointText(0, rootOf(0)));
const checkpointVector = (name, description, note, publicKey, expect) => add({ name, description, check: 'checkpoint', note, publicKey, expect });
checkpointVector('checkpoint-12', 'a signed checkpoint of the 12 records', note12, key.publicKey, { valid: true, origin: ORIGIN, size: 12, root: b64(rootOf(12)) });
checkpointVector('checkpoint-empty', 'the empty ledger\'s checkpoint', note0, key.publicKey, { valid: true, origin: ORIGIN, size: 0, root: b64(rootOf(0)) });
const sigStart = note12.lastIndexOf(' ') + 1;
const sigBytes = Buffer.from(note12.slice(sigStart, -1), 'base64');
sigBytes[10] ^= 0x01;
checkpointVector('bad-signature', 'one bit of the Ed25519 signature flipped', `${note12.slice(0, sigStart)}${b64(sigBytes)}\n`, key.publicKey, { valid: false });
checkpointVector('bad-signature-altered-text', 'the tree size changed after signing', note12.replace('\n12\n', '\n11\n'), key.publicKey, { valid: false });
checkpointVector('bad-signature-other-key', 'signed by another key of the same name', otherKey.sign(checkpointText(12, rootOf(12))), key.publicKey, { valid: false });
checkpointVector('bad-signature-no-signature-lines', 'the text without its signature', checkpointText(12, rootOf(12)), key.publicKey, { valid: false });

// Proof documents, as `auditwire ledger prove` prints them.
const proofDocument = (index, size) => ({ record: records[index], leafIndex: index, treeSize: size, proof: path(index, leaves.slice(0, size)).map(b64), checkpoint: key.sign(checkpointText(size, rootOf(size))) });
add({ name: 'prove-output-5-of-12', description: 'ledger prove output for record 5 (a non-ASCII id)', check: 'prove', document: proofDocument(5, 12), publicKey: key.publicKey, expect: { valid: true } });
add({ name: 'prove-output-11-of-12', description: 'ledger prove output for the last record', check: 'prove', document: proofDocument(11, 12), publicKey: key.publicKey, expect: { valid: true } });
add({ name: 'bad-proof-edited-record', description: 'prove output whose record was edited (verified flipped)', check: 'prove', document: { ...proofDocument(4, 12), record: { ...records[4], verified: !records[4].verified } }, publicKey: key.publicKey, expect: { valid: false } });
add({ name: 'bad-proof-other-key', description: 'prove output checked with another key', check: 'prove', document: proofDocument(4, 12), publicKey: otherKey.publicKey, expect: { valid: false } });

const suite = {
  about: 'the ledger (spec/LEDGER.md): leaf hashes, roots, RFC 6962 inclusion and consistency proofs, C2SP checkpoints signed with Ed25519, ledger prove output; expected values from canonicalize, node:crypto and RFC 6962 written out recursively',
  kind: 'ledger',
  publicKey: key.publicKey,
  vectors,
};
writeFileSync(new URL('../spec/vectors/ledger.json', import.meta.url), `${JSON.stringify(suite, null, 2)}\n`);
console.log(`spec/vectors/ledger.json: ${vectors.length} vectors`);
