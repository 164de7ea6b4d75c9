"""Independent reference for the auditwire ledger (spec/LEDGER.md).

Standard library only; Python 3.9+. Written from RFC 6962 section 2.1 (tree
hashing and proofs), RFC 9162 sections 2.1.3.2 and 2.1.4.2 (proof
verification), C2SP signed-note and tlog-checkpoint, and RFC 8032 (Ed25519,
in ed25519_ref) - not from the TypeScript sources.

* ``leaf_hash`` / ``node_hash`` / ``tree_hash``  - RFC 6962 hashing.
* ``inclusion_proof`` / ``consistency_proof``     - RFC 6962 PATH and PROOF.
* ``verify_inclusion`` / ``verify_consistency``   - RFC 9162 verification.
* ``parse_verifier_key`` / ``open_note``           - C2SP signed notes (Ed25519).
* ``parse_checkpoint``                              - C2SP tlog-checkpoint text.
* ``check_record_proof``                            - what an auditor runs on
  the output of ``auditwire ledger prove``.
"""

import base64
import binascii
import hashlib

from auditwire_ref import canonical_json
from ed25519_ref import verify as ed25519_verify


# --------------------------------------------------------------------------
# RFC 6962 section 2.1: the Merkle tree hash
# --------------------------------------------------------------------------

def leaf_hash(data):
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def record_leaf_hash(record):
    """The leaf hash of a ledger record: its RFC 8785 canonical JSON, UTF-8."""
    return leaf_hash(canonical_json(record).encode("utf-8"))


def _split(n):
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_hash(leaves):
    """MTH(D[n]) over a list of leaf hashes (the empty tree: SHA-256 of "")."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(tree_hash(leaves[:k]), tree_hash(leaves[k:]))


def inclusion_proof(m, leaves):
    """PATH(m, D[n]), RFC 6962 2.1.1."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return inclusion_proof(m, leaves[:k]) + [tree_hash(leaves[k:])]
    return inclusion_proof(m - k, leaves[k:]) + [tree_hash(leaves[:k])]


def _subproof(m, leaves, whole):
    n = len(leaves)
    if m == n:
        return [] if whole else [tree_hash(leaves)]
    k = _split(n)
    if m <= k:
        return _subproof(m, leaves[:k], whole) + [tree_hash(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [tree_hash(leaves[:k])]


def consistency_proof(m, leaves):
    """PROOF(m, D[n]), RFC 6962 2.1.2 (empty for m = 0 and m = n)."""
    if m == 0:
        return []
    return _subproof(m, leaves, True)


# --------------------------------------------------------------------------
# RFC 9162 2.1.3.2 and 2.1.4.2: verifying proofs without the tree
# --------------------------------------------------------------------------

def verify_inclusion(leaf, index, size, proof, root):
    if not (0 <= index < size):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size, new_size, proof, old_root, new_root):
    if not (0 <= old_size <= new_size):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node of the new tree
        path = [old_root] + path
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# --------------------------------------------------------------------------
# C2SP signed-note with Ed25519, and tlog-checkpoint
# --------------------------------------------------------------------------

class NoteError(ValueError):
    """A key, note or checkpoint that does not verify or does not parse."""


def _b64decode(text):
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError("not base64: %r" % text)
    if base64.b64encode(data).decode("ascii") != text:
        raise NoteError("not canonical base64: %r" % text)
    return data


def _key_name_ok(name):
    return bool(name) and not any(c.isspace() or c == "+" or ord(c) < 0x20 or ord(c) == 0x7f for c in name)


def key_id(name, public_key):
    """First 4 bytes of SHA-256(name || "\\n" || 0x01 || key)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n\x01" + public_key).digest()[:4]


def parse_verifier_key(text):
    """``<name>+<8 hex key id>+<base64(0x01 || key)>`` -> (name, key id, key)."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<hex id>+<base64 key>")
    name, id_hex, encoded = parts
    if not _key_name_ok(name):
        raise NoteError("bad key name %r" % name)
    key = _b64decode(encoded)
    if len(key) != 33 or key[0] != 0x01:
        raise NoteError("not an Ed25519 verifier key")
    ident = key_id(name, key[1:])
    if id_hex != ident.hex():
        raise NoteError("the key id does not match the name and key")
    return name, ident, key[1:]


def open_note(note, verifier):
    """The text of ``note`` if a signature line is a valid signature by
    ``verifier`` (from parse_verifier_key); raises NoteError otherwise."""
    name, ident, public_key = verifier
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note")
    text = note[:split + 1]
    if "\n\n" in text or text.startswith("\n"):
        raise NoteError("malformed note text")
    for line in note[split + 2:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise NoteError("malformed signature line")
        fields = line[2:].split(" ")
        if len(fields) != 2:
            raise NoteError("malformed signature line")
        signer, encoded = fields
        signature = _b64decode(encoded)
        if signer != name or len(signature) != 68 or signature[:4] != ident:
            continue
        if ed25519_verify(public_key, text.encode("utf-8"), signature[4:]):
            return text
        raise NoteError("invalid signature by %s" % name)
    raise NoteError("no signature by %s" % name)


def parse_checkpoint(text):
    """(origin, size, root) from checkpoint note text."""
    lines = text.split("\n")
    if len(lines) < 4 or not lines[0]:
        raise NoteError("a checkpoint has origin, size and root lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")) or not size_text.isascii():
        raise NoteError("bad tree size %r" % size_text)
    root = _b64decode(root_text)
    if len(root) != 32:
        raise NoteError("the root hash is not 32 bytes")
    return origin, int(size_text), root


def check_record_proof(document, verifier):
    """None if the output of ``auditwire ledger prove`` holds: the checkpoint
    is signed by ``verifier`` and the record's leaf leads to its root; the
    reason it fails otherwise."""
    try:
        _, size, root = parse_checkpoint(open_note(document["checkpoint"], verifier))
    except NoteError as exc:
        return str(exc)
    if size != document["treeSize"]:
        return "the checkpoint is of another tree size"
    try:
        proof = [_b64decode(h) for h in document["proof"]]
    except NoteError as exc:
        return str(exc)
    leaf = record_leaf_hash(document["record"])
    if not verify_inclusion(leaf, document["leafIndex"], size, proof, root):
        return "the inclusion proof does not lead to the checkpoint root"
    return None
