"""Tests for the ledger reference (ledger_ref, ed25519_ref).

Run with:  python3 -m unittest discover -s spec/reference/python
"""

import hashlib
import json
import os
import unittest

from ed25519_ref import verify
from ledger_ref import (
    NoteError,
    check_record_proof,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "vectors", "ledger.json")


class Ed25519Test(unittest.TestCase):
    # RFC 8032 section 7.1, TEST 1 and TEST 2.
    TESTS = [
        ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ]

    def test_accepts_the_rfc_8032_test_vectors(self):
        for public, message, signature in self.TESTS:
            self.assertTrue(verify(bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)))

    def test_refuses_a_changed_message_signature_or_key(self):
        public, message, signature = (bytes.fromhex(x) for x in self.TESTS[1])
        self.assertFalse(verify(public, b"\x73", signature))
        flipped = bytearray(signature)
        flipped[3] ^= 1
        self.assertFalse(verify(public, message, bytes(flipped)))
        self.assertFalse(verify(bytes.fromhex(self.TESTS[0][0]), message, signature))

    def test_refuses_a_scalar_not_below_the_group_order(self):
        public, message, signature = (bytes.fromhex(x) for x in self.TESTS[0])
        s = int.from_bytes(signature[32:], "little") + 2 ** 252 + 27742317777372353535851937790883648493
        self.assertFalse(verify(public, message, signature[:32] + s.to_bytes(32, "little")))

    def test_refuses_malformed_lengths(self):
        self.assertFalse(verify(b"\x00" * 31, b"", b"\x00" * 64))
        self.assertFalse(verify(b"\x00" * 32, b"", b"\x00" * 63))


class MerkleTest(unittest.TestCase):
    def leaves(self, n):
        return [leaf_hash(b"leaf %d" % i) for i in range(n)]

    def test_every_inclusion_proof_up_to_33_leaves_verifies_and_a_flipped_one_does_not(self):
        for n in range(1, 34):
            leaves = self.leaves(n)
            root = tree_hash(leaves)
            for m in range(n):
                proof = inclusion_proof(m, leaves)
                self.assertTrue(verify_inclusion(leaves[m], m, n, proof, root), (m, n))
                if proof:
                    bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:]] + proof[1:]
                    self.assertFalse(verify_inclusion(leaves[m], m, n, bad, root))
                self.assertFalse(verify_inclusion(leaves[m], m, n, proof + [root], root))

    def test_every_consistency_proof_up_to_33_leaves_verifies_and_a_rewritten_history_does_not(self):
        for n in range(0, 34):
            leaves = self.leaves(n)
            for m in range(0, n + 1):
                proof = consistency_proof(m, leaves)
                self.assertTrue(verify_consistency(m, n, proof, tree_hash(leaves[:m]), tree_hash(leaves)), (m, n))
                if 0 < m < n:
                    rewritten = [leaf_hash(b"rewritten")] + leaves[1:m]
                    self.assertFalse(verify_consistency(m, n, proof, tree_hash(rewritten), tree_hash(leaves)))

    def test_the_empty_tree_hash_is_sha256_of_nothing(self):
        self.assertEqual(tree_hash([]), hashlib.sha256(b"").digest())


class NoteTest(unittest.TestCase):
    def setUp(self):
        with open(VECTORS, encoding="utf-8") as f:
            self.suite = json.load(f)
        self.vectors = {v["name"]: v for v in self.suite["vectors"]}
        self.verifier = parse_verifier_key(self.suite["publicKey"])

    def test_opens_a_signed_checkpoint(self):
        origin, size, _ = parse_checkpoint(open_note(self.vectors["checkpoint-12"]["note"], self.verifier))
        self.assertEqual((origin, size), ("example.com/audit-ledger", 12))

    def test_refuses_a_bad_signature(self):
        with self.assertRaises(NoteError):
            open_note(self.vectors["bad-signature"]["note"], self.verifier)

    def test_refuses_a_verifier_key_whose_id_does_not_match(self):
        name, rest = self.suite["publicKey"].split("+", 1)
        with self.assertRaises(NoteError):
            parse_verifier_key("%s+00000000+%s" % (name, rest.split("+", 1)[1]))

    def test_checks_prove_output(self):
        self.assertIsNone(check_record_proof(self.vectors["prove-output-5-of-12"]["document"], self.verifier))
        self.assertIsNotNone(check_record_proof(self.vectors["bad-proof-edited-record"]["document"], self.verifier))


if __name__ == "__main__":
    unittest.main()
