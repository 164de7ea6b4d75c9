"""Ed25519 signature verification, written from RFC 8032 (section 5.1.7).

Standard library only; Python 3.9+. Verification only: the ledger's verifier
never signs. Points are kept in extended homogeneous coordinates (X, Y, Z, T)
with x = X/Z, y = Y/Z, x*y = T/Z (RFC 8032 section 5.1.4). Not constant time,
which verification of public data does not need.
"""

import hashlib

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493  # the group order
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _recover_x(y, sign):
    """RFC 8032 5.1.3 steps 2-4: the x coordinate for y, or None."""
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x2 = u * pow(v, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decode_point(encoded):
    """RFC 8032 5.1.3: a 32-byte encoding to a point, or None if it is none."""
    if len(encoded) != 32:
        return None
    y = int.from_bytes(encoded, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def _add(p1, p2):
    """RFC 8032 5.1.4: addition in extended coordinates (a = -1)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _multiply(scalar, point):
    result = (0, 1, 1, 0)  # the neutral element
    while scalar > 0:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _equal(p1, p2):
    # x1/z1 == x2/z2 and y1/z1 == y2/z2, without inversions.
    return (p1[0] * p2[2] - p2[0] * p1[2]) % P == 0 and (p1[1] * p2[2] - p2[1] * p1[2]) % P == 0


_BASE_Y = 4 * pow(5, P - 2, P) % P
_BASE = (_recover_x(_BASE_Y, 0), _BASE_Y, 1, _recover_x(_BASE_Y, 0) * _BASE_Y % P)


def verify(public_key, message, signature):
    """True if ``signature`` (64 bytes) is a valid Ed25519 signature of
    ``message`` by ``public_key`` (32 bytes); False otherwise, never raises
    for malformed input.

    RFC 8032 5.1.7: decode A and R, refuse S >= L, k = SHA-512(R || A || M)
    mod L, then check [S]B = R + [k]A (the cofactorless equation, as Go's
    crypto/ed25519 and OpenSSL check it).
    """
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decode_point(public_key)
    r = _decode_point(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    return _equal(_multiply(s, _BASE), _add(r, _multiply(k, a)))
