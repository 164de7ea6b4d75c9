#!/usr/bin/env python3
"""Recompute every hash of a JSONL file with the independent Python reference.

usage: python3 examples/polyglot_verify.py FILE

FILE holds one JSON object per line: {"event": ..., "hash": "..."}, plus
"retracedId" for an event hashed with the Retraced formula (and optionally
"format", used only for the summary). examples/polyglot-verify.mjs writes one.

Standard library only: the reference implementation is imported from
spec/reference/python/auditwire_ref.py, written from the RFCs rather than from
the TypeScript sources, so agreement means two implementations agree.

Exit status: 0 when every hash matches, 1 when any differs (or the file holds
no records), 2 on bad usage or input.
"""

import collections
import os
import sys

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "..", "spec", "reference", "python")
sys.path.insert(0, os.path.normpath(REFERENCE))

from auditwire_ref import (  # noqa: E402
    AuditwireRefError,
    event_hash,
    parse_i_json,
    retraced_hash,
)


def check(record):
    """Return (format, computed hash, expected hash) for one record."""
    if not isinstance(record, dict) or "event" not in record or not isinstance(record.get("hash"), str):
        raise ValueError('expected an object {"event": ..., "hash": "..."}')
    retraced_id = record.get("retracedId")
    # parse_i_json already read every number as an IEEE-754 double, as
    # JavaScript does, so event_hash sees the values the client hashed.
    computed = (retraced_hash(record["event"], retraced_id) if retraced_id is not None
                else event_hash(record["event"]))
    return record.get("format", "auditwire"), computed, record["hash"].lower()


def main(argv):
    if len(argv) != 1 or argv[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        sys.stderr.write("polyglot_verify: cannot read %s: %s\n" % (argv[0], exc.strerror))
        return 2

    per_format = collections.Counter()
    total = mismatches = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            fmt, computed, expected = check(parse_i_json(line))
        except (AuditwireRefError, TypeError, ValueError) as exc:
            sys.stderr.write("polyglot_verify: line %d: %s\n" % (number, exc))
            return 2
        total += 1
        per_format[fmt] += 1
        if computed != expected:
            mismatches += 1
            print("MISMATCH line %d (%s): expected %s, python computed %s" % (number, fmt, expected, computed))

    counts = ", ".join("%s %d" % item for item in sorted(per_format.items()))
    print("python reference: %d of %d hashes match (%s)" % (total - mismatches, total, counts or "no records"))
    return 0 if total > 0 and mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
