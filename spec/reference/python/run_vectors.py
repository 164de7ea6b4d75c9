#!/usr/bin/env python3
"""Run the conformance vectors in spec/vectors/*.json through the Python
reference implementation (auditwire_ref).

usage: python3 spec/reference/python/run_vectors.py [VECTOR_DIR] [--json]

Without --json: one line per failing vector, then "N passed, N failed".
With --json: a JSON array on stdout, one result object per vector, so another
program can compare its own results vector by vector.
Exit status: 0 when every vector passes, 1 otherwise, 2 on bad usage.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from auditwire_ref import (  # noqa: E402
    JsonSyntax,
    MissingField,
    NotIJson,
    canonical_json,
    event_hash,
    parse_i_json,
    retraced_hash,
    retraced_hash_target,
)
from ledger_ref_vectors import prepare_ledger_suite, run_ledger_vector  # noqa: E402

DEFAULT_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "vectors"))


def _run_canonical(vector, result):
    try:
        value = parse_i_json(vector["json"])
        result["canonical"] = canonical_json(value)
        result["hash"] = event_hash(value)
    except (JsonSyntax, NotIJson) as exc:
        _record_error(exc, result)
        return "unexpected error: %s" % exc
    problems = []
    if result["canonical"] != vector["canonical"]:
        problems.append("canonical %s, expected %s" % (
            json.dumps(result["canonical"]), json.dumps(vector["canonical"])))
    if result["hash"] != vector["hash"]:
        problems.append("hash %s, expected %s" % (result["hash"], vector["hash"]))
    return "; ".join(problems) or None


def _run_reject(vector, result):
    try:
        value = parse_i_json(vector["json"])
        result["canonical"] = canonical_json(value)
    except (JsonSyntax, NotIJson) as exc:
        _record_error(exc, result)
    else:
        return "accepted, expected error %s" % vector["error"]
    if result["error"] != vector["error"]:
        return "error %s (%s), expected %s" % (result["error"], result["reason"], vector["error"])
    if vector["error"] == "not-i-json" and result["path"] != vector.get("path"):
        return "path %s, expected %s" % (result["path"], vector.get("path"))
    return None


def _run_retraced(vector, result):
    try:
        result["hashTarget"] = retraced_hash_target(vector["event"], vector["id"])
        result["hash"] = retraced_hash(vector["event"], vector["id"])
    except MissingField as exc:
        _record_error(exc, result)
    if "error" in vector:
        if "error" not in result:
            return "hashed, expected error %s at %s" % (vector["error"], vector.get("path"))
        if result["error"] != vector["error"] or result["path"] != vector.get("path"):
            return "error %s at %s, expected %s at %s" % (
                result["error"], result["path"], vector["error"], vector.get("path"))
        return None
    if "error" in result:
        return "unexpected error %s at %s" % (result["error"], result["path"])
    problems = []
    if result["hashTarget"] != vector["hashTarget"]:
        problems.append("hashTarget %s, expected %s" % (
            json.dumps(result["hashTarget"], ensure_ascii=False),
            json.dumps(vector["hashTarget"], ensure_ascii=False)))
    if result["hash"] != vector["hash"]:
        problems.append("hash %s, expected %s" % (result["hash"], vector["hash"]))
    return "; ".join(problems) or None


def _record_error(exc, result):
    if isinstance(exc, JsonSyntax):
        result["error"] = "syntax"
    elif isinstance(exc, NotIJson):
        result["error"] = "not-i-json"
        result["path"] = exc.path
    else:
        result["error"] = "missing-field"
        result["path"] = exc.path
    result["reason"] = exc.reason


RUNNERS = {
    "ledger": run_ledger_vector,
    "canonical": _run_canonical,
    "reject": _run_reject,
    "retraced": _run_retraced,
}


def run(vector_dir):
    """Return a list of (result, problem-or-None), one per vector."""
    outcomes = []
    for file_name in sorted(os.listdir(vector_dir)):
        if not file_name.endswith(".json"):
            continue
        with open(os.path.join(vector_dir, file_name), encoding="utf-8") as f:
            suite = json.load(f)
        kind = suite.get("kind")
        runner = RUNNERS.get(kind)
        if kind == "ledger":
            prepare_ledger_suite(suite)
        for vector in suite.get("vectors", []):
            result = {"file": file_name, "name": vector.get("name")}
            if runner is None:
                problem = "unknown vector kind %r" % (kind,)
            else:
                try:
                    problem = runner(vector, result)
                except Exception as exc:  # a crash is a failure, not an abort
                    problem = "crashed: %s: %s" % (type(exc).__name__, exc)
            result["ok"] = problem is None
            outcomes.append((result, problem))
    return outcomes


def main(argv):
    args = [a for a in argv if a != "--json"]
    as_json = len(args) != len(argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        sys.stderr.write(__doc__)
        return 2
    vector_dir = args[0] if args else DEFAULT_DIR
    outcomes = run(vector_dir)
    failed = sum(1 for result, _ in outcomes if not result["ok"])
    if as_json:
        # ensure_ascii keeps the output valid even if a result holds a lone
        # surrogate (e.g. a path naming an invalid key).
        # "reason" is free text that differs between implementations; only
        # the comparable keys are emitted.
        results = [{k: v for k, v in result.items() if k != "reason"}
                   for result, _ in outcomes]
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for result, problem in outcomes:
            if problem is not None:
                line = "FAIL %s %s: %s" % (result["file"], result["name"], problem)
                # Never die on output encoding (e.g. a C locale).
                sys.stdout.write(line.encode(sys.stdout.encoding or "utf-8",
                                             "backslashreplace")
                                 .decode(sys.stdout.encoding or "utf-8") + "\n")
        print("%d passed, %d failed" % (len(outcomes) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
