"""The ledger vectors (spec/vectors/ledger.json) through ledger_ref, for
run_vectors.py: each vector's ``expect`` names the values compared."""

import base64

from auditwire_ref import canonical_json
from ledger_ref import (
    NoteError,
    check_record_proof,
    consistency_proof,  # noqa: F401 - re-exported for tests
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    record_leaf_hash,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)


def _b(text):
    return base64.b64decode(text)


def _e(data):
    return base64.b64encode(data).decode("ascii")


_LEAVES = {}


def _result(vector, suite_leaves):
    check = vector["check"]
    if check == "leaf":
        return {"canonical": canonical_json(vector["record"]), "leafHash": _e(record_leaf_hash(vector["record"]))}
    if check == "root":
        return {"root": _e(tree_hash(suite_leaves[:vector["size"]]))}
    if check == "inclusion":
        return {"valid": verify_inclusion(_b(vector["leafHash"]), vector["leafIndex"], vector["treeSize"],
                                          [_b(h) for h in vector["proof"]], _b(vector["root"]))}
    if check == "consistency":
        return {"valid": verify_consistency(vector["oldSize"], vector["newSize"], [_b(h) for h in vector["proof"]],
                                            _b(vector["oldRoot"]), _b(vector["newRoot"]))}
    if check == "checkpoint":
        try:
            origin, size, root = parse_checkpoint(open_note(vector["note"], parse_verifier_key(vector["publicKey"])))
        except NoteError:
            return {"valid": False}
        return {"valid": True, "origin": origin, "size": size, "root": _e(root)}
    if check == "prove":
        return {"valid": check_record_proof(vector["document"], parse_verifier_key(vector["publicKey"])) is None}
    raise ValueError("unknown check %r" % check)


def prepare_ledger_suite(suite):
    """The "root" vectors hash the records of the suite's "leaf" vectors."""
    _LEAVES["current"] = [record_leaf_hash(v["record"]) for v in suite["vectors"] if v["check"] == "leaf"]


def run_ledger_vector(vector, result, suite_leaves=None):
    """Fill ``result`` for one vector; return a problem string or None."""
    if suite_leaves is None:
        suite_leaves = _LEAVES.get("current", [])
    result.update(_result(vector, suite_leaves))
    problems = ["%s %r, expected %r" % (k, result.get(k), v) for k, v in vector["expect"].items() if result.get(k) != v]
    return "; ".join(problems) or None
