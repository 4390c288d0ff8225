"""xxHash64 and xxHash32 (Yann Collet's XXH64 / XXH32), as System.IO.Hashing computes them."""

import struct

_M64 = 0xFFFFFFFFFFFFFFFF
_P64_1 = 0x9E3779B185EBCA87
_P64_2 = 0xC2B2AE3D27D4EB4F
_P64_3 = 0x165667B19E3779F9
_P64_4 = 0x85EBCA77C2B2AE63
_P64_5 = 0x27D4EB2F165667C5


def _rotl64(x, r):
    return ((x << r) | (x >> (64 - r))) & _M64


def _round64(acc, lane):
    acc = (acc + lane * _P64_2) & _M64
    return (_rotl64(acc, 31) * _P64_1) & _M64


def _merge64(acc, val):
    acc ^= _round64(0, val)
    return (acc * _P64_1 + _P64_4) & _M64


def xxh64(data: bytes, seed: int = 0) -> int:
    """The 64-bit hash of ``data`` with ``seed`` (taken modulo 2**64)."""
    seed &= _M64
    n = len(data)
    i = 0
    if n >= 32:
        v1 = (seed + _P64_1 + _P64_2) & _M64
        v2 = (seed + _P64_2) & _M64
        v3 = seed
        v4 = (seed - _P64_1) & _M64
        limit = n - 32
        while i <= limit:
            a, b, c, d = struct.unpack_from("<4Q", data, i)
            v1 = _round64(v1, a)
            v2 = _round64(v2, b)
            v3 = _round64(v3, c)
            v4 = _round64(v4, d)
            i += 32
        h = (_rotl64(v1, 1) + _rotl64(v2, 7) + _rotl64(v3, 12) + _rotl64(v4, 18)) & _M64
        h = _merge64(h, v1)
        h = _merge64(h, v2)
        h = _merge64(h, v3)
        h = _merge64(h, v4)
    else:
        h = (seed + _P64_5) & _M64
    h = (h + n) & _M64
    while i + 8 <= n:
        (k,) = struct.unpack_from("<Q", data, i)
        h ^= _round64(0, k)
        h = (_rotl64(h, 27) * _P64_1 + _P64_4) & _M64
        i += 8
    if i + 4 <= n:
        (k,) = struct.unpack_from("<I", data, i)
        h ^= (k * _P64_1) & _M64
        h = (_rotl64(h, 23) * _P64_2 + _P64_3) & _M64
        i += 4
    while i < n:
        h ^= (data[i] * _P64_5) & _M64
        h = (_rotl64(h, 11) * _P64_1) & _M64
        i += 1
    h ^= h >> 33
    h = (h * _P64_2) & _M64
    h ^= h >> 29
    h = (h * _P64_3) & _M64
    h ^= h >> 32
    return h


_M32 = 0xFFFFFFFF
_P32_1 = 0x9E3779B1
_P32_2 = 0x85EBCA77
_P32_3 = 0xC2B2AE3D
_P32_4 = 0x27D4EB2F
_P32_5 = 0x165667B1


def _rotl32(x, r):
    return ((x << r) | (x >> (32 - r))) & _M32


def _round32(acc, lane):
    acc = (acc + lane * _P32_2) & _M32
    return (_rotl32(acc, 13) * _P32_1) & _M32


def xxh32(data: bytes, seed: int = 0) -> int:
    """The 32-bit hash of ``data`` with ``seed``."""
    seed &= _M32
    n = len(data)
    i = 0
    if n >= 16:
        v1 = (seed + _P32_1 + _P32_2) & _M32
        v2 = (seed + _P32_2) & _M32
        v3 = seed
        v4 = (seed - _P32_1) & _M32
        while i <= n - 16:
            a, b, c, d = struct.unpack_from("<4I", data, i)
            v1 = _round32(v1, a)
            v2 = _round32(v2, b)
            v3 = _round32(v3, c)
            v4 = _round32(v4, d)
            i += 16
        h = (_rotl32(v1, 1) + _rotl32(v2, 7) + _rotl32(v3, 12) + _rotl32(v4, 18)) & _M32
    else:
        h = (seed + _P32_5) & _M32
    h = (h + n) & _M32
    while i + 4 <= n:
        (k,) = struct.unpack_from("<I", data, i)
        h = (h + k * _P32_3) & _M32
        h = (_rotl32(h, 17) * _P32_4) & _M32
        i += 4
    while i < n:
        h = (h + data[i] * _P32_5) & _M32
        h = (_rotl32(h, 11) * _P32_1) & _M32
        i += 1
    h ^= h >> 15
    h = (h * _P32_2) & _M32
    h ^= h >> 13
    h = (h * _P32_3) & _M32
    h ^= h >> 16
    return h
