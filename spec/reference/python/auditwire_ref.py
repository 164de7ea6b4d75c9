"""Independent reference implementation of the auditwire event hash.

Standard library only; Python 3.9+.

* ``parse_i_json``   - parse JSON text, refusing what I-JSON (RFC 7493) forbids.
* ``canonical_json`` - the JSON Canonicalization Scheme, RFC 8785 (JCS).
* ``event_hash``     - lowercase hex SHA-256 of the UTF-8 bytes of the JCS form.
* ``retraced_hash_target`` / ``retraced_hash`` - the Retraced vendor hash.

Errors carry a JSON path in the project's format: ``$`` followed by ``.key``
for identifier-like keys, ``["key"]`` (a JSON string) for any other key and
``[n]`` for array indexes, e.g. ``$.a[0]["x-y"]``.

This module is written from the RFCs, not from the TypeScript sources, so that
the two implementations can be checked against each other.
"""

import hashlib
import json
import math
import re

__all__ = [
    "AuditwireRefError",
    "JsonSyntax",
    "NotIJson",
    "MissingField",
    "parse_i_json",
    "canonical_json",
    "event_hash",
    "retraced_hash_target",
    "retraced_hash",
    "json_path_key",
    "json_path_index",
]


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class AuditwireRefError(Exception):
    """Base class of every error this module raises on purpose."""


class JsonSyntax(AuditwireRefError):
    """The text is not JSON at all (RFC 8259)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class NotIJson(AuditwireRefError):
    """The value is JSON but not I-JSON (RFC 7493), so it has no JCS form."""

    def __init__(self, path, reason):
        super().__init__("%s: %s" % (path, reason))
        self.path = path
        self.reason = reason


class MissingField(AuditwireRefError):
    """The Retraced formula needs a field the event does not have."""

    def __init__(self, path, reason="required field is missing or empty"):
        super().__init__("%s: %s" % (path, reason))
        self.path = path
        self.reason = reason


# --------------------------------------------------------------------------
# JSON strings (RFC 8785 section 3.2.2.2) and JSON paths
# --------------------------------------------------------------------------

# RFC 8785 3.2.2.2: these five control characters use their short escapes...
_SHORT_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
}
# ... '"' and '\' are escaped, every other code point below U+0020 is written
# as \u00xx with lowercase hex, and everything else is written as-is.
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_char(match):
    ch = match.group(0)
    if ch == '"':
        return '\\"'
    if ch == "\\":
        return "\\\\"
    code = ord(ch)
    return _SHORT_ESCAPES.get(code, "\\u%04x" % code)


def _quote(s):
    """Serialize a (valid Unicode) string as RFC 8785 3.2.2.2 requires."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, s) + '"'


def _has_lone_surrogate(s):
    # A Python str holds code points. json.loads joins an escaped surrogate
    # *pair* into one non-BMP code point, so any code point left in
    # U+D800..U+DFFF is an unpaired surrogate: not valid Unicode, which
    # RFC 7493 section 2.1 forbids.
    return _SURROGATE.search(s) is not None


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


def json_path_key(parent, key):
    """Path of member ``key`` of the object at ``parent``."""
    if _IDENTIFIER.match(key):
        return parent + "." + key
    # Same as JavaScript's (well-formed) JSON.stringify: JSON escapes, non-ASCII
    # left raw, and - so the path itself is always valid text - a lone
    # surrogate written as a lowercase \uXXXX escape.
    quoted = _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group(0)), _quote(key))
    return parent + "[" + quoted + "]"


def json_path_index(parent, index):
    """Path of element ``index`` of the array at ``parent``."""
    return "%s[%d]" % (parent, index)


# --------------------------------------------------------------------------
# I-JSON parsing (RFC 7493)
# --------------------------------------------------------------------------


class _Pairs(list):
    """An object exactly as written: its (key, value) members in text order,
    duplicates included. Converted to a dict by ``_to_i_json``."""


class _Number(str):
    """A number literal exactly as written; converted by ``_to_i_json`` so
    an overflow can be reported with its path."""


def _refuse_constant(name):
    # json.loads accepts NaN, Infinity and -Infinity; RFC 8259 does not.
    raise JsonSyntax("%s is not a JSON literal (RFC 8259)" % name)


def parse_i_json(text):
    """Parse ``text`` as I-JSON (RFC 7493) and return plain Python values.

    Objects become dicts, arrays lists, and every number a float: I-JSON
    numbers are IEEE-754 doubles (RFC 7493 2.2), so 9007199254740993 is the
    double 9007199254740992 exactly as in JavaScript. Raises ``JsonSyntax``
    when the text is not JSON and ``NotIJson`` (with the path of the first
    offending value in document order) when it is JSON that I-JSON forbids.
    """
    if not isinstance(text, str):
        raise TypeError("parse_i_json expects str, not %s" % type(text).__name__)
    try:
        raw = json.loads(
            text,
            object_pairs_hook=_Pairs,
            parse_float=_Number,
            # Integers too: int() would refuse more than 4300 digits, and
            # float(literal) rounds correctly (half to even) like JavaScript.
            parse_int=_Number,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as exc:
        raise JsonSyntax(str(exc)) from None
    return _to_i_json(raw, "$")


def _to_i_json(value, path):
    """Check one parsed value depth-first in document order; convert it."""
    if isinstance(value, _Pairs):
        result = {}
        for key, member in value:
            member_path = json_path_key(path, key)
            if _has_lone_surrogate(key):
                raise NotIJson(member_path, "member name is not valid Unicode "
                               "(lone surrogate), RFC 7493 2.1")
            if key in result:
                raise NotIJson(member_path, "duplicate member name, RFC 7493 2.3")
            result[key] = _to_i_json(member, member_path)
        return result
    if isinstance(value, list):
        return [_to_i_json(item, json_path_index(path, i))
                for i, item in enumerate(value)]
    if isinstance(value, _Number):
        number = float(value)  # correctly rounded; too large -> +/-inf
        if math.isinf(number):
            raise NotIJson(path, "number %s is not representable as an IEEE-754 "
                           "double, RFC 7493 2.2" % value)
        return number
    if isinstance(value, str):
        if _has_lone_surrogate(value):
            raise NotIJson(path, "string is not valid Unicode (lone surrogate), "
                           "RFC 7493 2.1")
        return value
    return value  # True, False, None


# --------------------------------------------------------------------------
# Canonical JSON (RFC 8785)
# --------------------------------------------------------------------------


def _validate(value, path):
    """Refuse, in document order (dict insertion order), any value that has
    no RFC 8785 form. Done before serializing because serialization visits
    members in sorted order, not document order."""
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and _has_lone_surrogate(value):
            raise NotIJson(path, "string is not valid Unicode (lone surrogate)")
        return
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            raise NotIJson(path, "integer is not representable as an IEEE-754 "
                           "double") from None
        return
    if isinstance(value, float):
        # RFC 8785 3.2.2.3: NaN and Infinity must cause an error.
        if math.isnan(value) or math.isinf(value):
            raise NotIJson(path, "%r is not a JSON number" % value)
        return
    if isinstance(value, dict):
        for key, member in value.items():
            if not isinstance(key, str):
                raise NotIJson(path, "object member name %r is not a string" % (key,))
            member_path = json_path_key(path, key)
            if _has_lone_surrogate(key):
                raise NotIJson(member_path, "member name is not valid Unicode "
                               "(lone surrogate)")
            _validate(member, member_path)
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _validate(item, json_path_index(path, i))
        return
    raise NotIJson(path, "%s is not a JSON value" % type(value).__name__)


def _utf16_key(s):
    # RFC 8785 3.2.3: member names are sorted by their UTF-16 code units.
    # Big-endian UTF-16 bytes compare exactly like the code unit sequence
    # (Python's own str order is by code point and would put U+1F600 after
    # U+FB33, where UTF-16 has the surrogate 0xD83D before 0xFB33).
    return s.encode("utf-16-be")


def _number(x):
    """RFC 8785 3.2.2.3: ECMAScript Number.prototype.toString(x), i.e.
    Number::toString in ECMA-262 (section 6.1.6.1.20 in recent editions)."""
    if x == 0:
        return "0"  # also -0: ECMAScript prints it as "0"
    sign = "-" if x < 0 else ""
    # repr() gives the shortest digit string that round-trips to x (closest
    # to x when several are equally short) - the "k as small as possible"
    # digits ECMAScript asks for. Only its layout differs, so take the digits
    # apart and lay them out again.
    text = repr(abs(x))
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    # x = 0.<digits> * 10**n
    n = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)

    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        exp = ("e+" if e >= 0 else "e-") + str(abs(e))
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + exp
    return sign + out


def _serialize(value, parts):
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, str):
        parts.append(_quote(value))
    elif isinstance(value, (int, float)):
        # I-JSON numbers are doubles: an int is first rounded to the nearest
        # double (float(int) rounds half to even, like JavaScript).
        parts.append(_number(float(value)))
    elif isinstance(value, dict):
        parts.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                parts.append(",")
            parts.append(_quote(key))
            parts.append(":")
            _serialize(value[key], parts)
        parts.append("}")
    else:  # list
        parts.append("[")
        for i, item in enumerate(value):
            if i:
                parts.append(",")
            _serialize(item, parts)
        parts.append("]")


def canonical_json(value):
    """Return the RFC 8785 canonical JSON text of a Python JSON value.

    Accepts dict (str keys), list, str, int, float, bool and None. Raises
    ``NotIJson`` with the path of the first offending value otherwise.
    No whitespace is emitted (RFC 8785 3.2.1).
    """
    _validate(value, "$")
    parts = []
    _serialize(value, parts)
    return "".join(parts)


def event_hash(value):
    """Lowercase hex SHA-256 of the UTF-8 bytes of ``canonical_json(value)``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------
# The Retraced hash (vendor computeHash(event, id))
# --------------------------------------------------------------------------
# Mirrors computeHash/buildHashTarget of the vendor's npm package
# @retracedhq/retraced, including its JavaScript notions of "absent": plain
# truthiness for id, is_failure, is_anonymous, fields, external_id and
# metadata, and lodash's _.isEmpty for action, target, actor, group, their ids
# and source_ip. Unlike the vendor, values that are not strings (which it would
# coerce to text such as "null" or "[object Object]") raise TypeError.


def _e1(s):
    # '%' first, so the '%' introduced by the ':' escape is not re-escaped.
    return s.replace("%", "%25").replace(":", "%3A")


def _e2(s):
    return _e1(s).replace("=", "%3D").replace(";", "%3B")


def _js_truthy(v):
    """JavaScript truthiness (differs from Python's for [] and {})."""
    if v is None or v is False:
        return False
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v != 0 and not (isinstance(v, float) and math.isnan(v))
    if isinstance(v, str):
        return v != ""
    return True


def _is_empty(v):
    """lodash ``_.isEmpty``, which the vendor uses for "absent": None, "",
    [], {} - and also every number and boolean (they have no own keys)."""
    if v is None or isinstance(v, (bool, int, float)):
        return True
    if isinstance(v, (str, list, dict)):
        return len(v) == 0
    return False


def _present(v):
    """Whether target/actor/group/source_ip contributes (not "", {}, null...)."""
    return not _is_empty(v)


def _text(v, path):
    if not isinstance(v, str):
        raise TypeError("%s must be a string, not %s" % (path, type(v).__name__))
    return v


def _pairs(obj, path):
    """k=v; list over keys sorted by UTF-16 code units (JS default sort)."""
    if not isinstance(obj, dict):
        raise TypeError("%s must be an object" % path)
    out = []
    for key in sorted(obj, key=_utf16_key):
        value = _text(obj[key], json_path_key(path, key))
        out.append(_e2(key) + "=" + _e2(value) + ";")
    return "".join(out)


def _subject_id(event, name):
    """E1(<name>.id) when <name> is present, "" when absent."""
    subject = event.get(name)
    if not _present(subject):
        return ""
    sid = subject.get("id") if isinstance(subject, dict) else None
    if _is_empty(sid):
        raise MissingField("$.%s.id" % name)
    return _e1(_text(sid, "$.%s.id" % name))


def retraced_hash_target(event, id):  # noqa: A002 - mirrors computeHash(event, id)
    """The exact string the Retraced formula hashes."""
    if not isinstance(event, dict):
        raise TypeError("event must be an object")
    # The vendor reports a missing id as plain "id": it is an argument, not a
    # member of the event.
    if not _js_truthy(id):
        raise MissingField("id", "the event id is required")
    action = event.get("action")
    if _is_empty(action):
        raise MissingField("$.action")
    # Refusal order matches the vendor: group, then target, then actor.
    group_id = _subject_id(event, "group")
    target_id = _subject_id(event, "target")
    actor_id = _subject_id(event, "actor")
    source_ip = event.get("source_ip")
    source_ip = _e1(_text(source_ip, "$.source_ip")) if _present(source_ip) else ""

    parts = [
        _e1(_text(id, "id")),
        _e1(_text(action, "$.action")),
        target_id,
        actor_id,
        group_id,
        source_ip,
        "1" if _js_truthy(event.get("is_failure")) else "0",
        "1" if _js_truthy(event.get("is_anonymous")) else "0",
    ]
    out = ":".join(parts) + ":"

    fields = event.get("fields")
    # fields: {} is truthy, so it adds nothing at all; absent fields add ":".
    out += _pairs(fields, "$.fields") if _js_truthy(fields) else ":"

    external_id = event.get("external_id")
    if _js_truthy(external_id):
        out += ":" + _e1(_text(external_id, "$.external_id"))

    metadata = event.get("metadata")
    if _js_truthy(metadata):  # metadata: {} adds a lone ":"
        out += ":" + _pairs(metadata, "$.metadata")
    return out


def retraced_hash(event, id):  # noqa: A002
    """Lowercase hex SHA-256 of the UTF-8 bytes of the hash target."""
    return hashlib.sha256(
        retraced_hash_target(event, id).encode("utf-8")).hexdigest()
