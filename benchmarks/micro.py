"""Token micro-benchmarks, in their own process: ``python -m benchmarks.micro``.

Decoding: raw PyJWT, dmr-jwt's ``JWToken.decode`` with positional
arguments and with the keywords of a ``VerifyOptions`` (as the auth calls
it), the auth's ``decode_token`` without and with the verified-token
cache, and dmr's built-in ``JWToken.decode``. Encoding: PyJWT, dmr-jwt,
dmr built-in.
Each figure is the median of several ``timeit`` repeats, per call.
"""

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import statistics
import sys
import timeit
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from benchmarks import cpu

#: Repeats of each case; each repeat lasts about ``_REPEAT_SECONDS``.
_REPEATS: Final = 7
_REPEAT_SECONDS: Final = 0.1
#: The tuned profile's ``token_cache_size``.
_CACHE_SIZE: Final = 4096


def _median_us(func: Callable[[], object], repeats: int, seconds: float) -> Any:
    timer = timeit.Timer(func)
    number, taken = timer.autorange()
    number = max(1, round(number * seconds / max(taken, 1e-9)))
    runs = [run / number * 1e6 for run in timer.repeat(repeats, number)]
    return {
        'median_us': statistics.median(runs),
        'min_us': min(runs),
        'max_us': max(runs),
        'number': number,
    }


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + '=' * (-len(segment) % 4))


def _cases() -> list[tuple[str, str, Callable[[], object] | str]]:
    """``(group, name, callable or why it cannot run)``."""
    import jwt
    from django.conf import settings

    from dmr_jwt import JWToken, JWTSyncAuth, VerifyOptions

    secret: str = settings.SECRET_KEY
    token = JWToken(
        sub='1',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        jti=uuid.uuid4().hex,
        extras={'type': 'access'},
    )
    encoded = token.encode(secret, 'HS256')
    claims = token.to_claims()
    keywords = VerifyOptions(algorithm='HS256').decode_keywords()
    plain_auth = JWTSyncAuth()
    key = secret.encode()

    def lower_bound() -> object:
        header, payload, signature = encoded.split('.')
        digest = hmac.new(
            key,
            f'{header}.{payload}'.encode(),
            hashlib.sha256,
        ).digest()
        if not hmac.compare_digest(digest, _b64decode(signature)):
            raise ValueError('bad signature')
        json.loads(_b64decode(header))
        return json.loads(_b64decode(payload))

    cases: list[tuple[str, str, Callable[[], object] | str]] = [
        (
            'decode',
            'HMAC + base64 + JSON only (lower bound, no checks)',
            lower_bound,
        ),
        (
            'decode',
            'PyJWT `jwt.decode`',
            lambda: jwt.decode(encoded, secret, algorithms=['HS256']),
        ),
        (
            'decode',
            'dmr-jwt `JWToken.decode`',
            lambda: JWToken.decode(encoded, secret, 'HS256'),
        ),
        (
            'decode',
            'dmr-jwt `JWToken.decode` with `VerifyOptions` keywords',
            lambda: JWToken.decode(encoded, secret, **keywords),
        ),
        (
            'decode',
            'dmr-jwt auth `decode_token`, no token cache (cold)',
            lambda: plain_auth.decode_token(encoded),
        ),
    ]
    cases.extend(_cache_cases(encoded))
    cases.extend(_builtin_cases(encoded, secret, token))
    cases.extend(
        [
            (
                'encode',
                'PyJWT `jwt.encode`',
                lambda: jwt.encode(claims, secret, algorithm='HS256'),
            ),
            (
                'encode',
                'dmr-jwt `JWToken.encode`',
                lambda: token.encode(secret, 'HS256'),
            ),
        ]
    )
    return cases


def _cache_cases(
    encoded: str,
) -> list[tuple[str, str, Callable[[], object] | str]]:
    from dmr_jwt import JWToken, JWTSyncAuth

    warm_name = 'dmr-jwt auth `decode_token`, token cache warm (hit)'
    miss_name = 'dmr-jwt auth `decode_token`, token cache on, miss (new token)'
    try:
        warm_auth = JWTSyncAuth(token_cache_size=_CACHE_SIZE)
        miss_auth = JWTSyncAuth(token_cache_size=_CACHE_SIZE)
    except TypeError as exc:  # the keyword does not exist (yet)
        reason = f'not available: {exc}'
        return [('decode', warm_name, reason), ('decode', miss_name, reason)]
    warm_auth.decode_token(encoded)

    from django.conf import settings

    secret: str = settings.SECRET_KEY
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    # Twice the cache size, in a cycle: first-in first-out eviction means
    # that every token was evicted before it comes again, so every call
    # misses (verifies, then stores).
    fresh: Iterator[str] = itertools.cycle(
        [
            JWToken(
                sub='1',
                exp=exp,
                jti=uuid.uuid4().hex,
                extras={'type': 'access'},
            ).encode(secret, 'HS256')
            for _ in range(2 * _CACHE_SIZE + 1)
        ]
    )

    def miss() -> object:
        return miss_auth.decode_token(next(fresh))

    return [
        ('decode', warm_name, lambda: warm_auth.decode_token(encoded)),
        ('decode', miss_name, miss),
    ]


def _builtin_cases(
    encoded: str,
    secret: str,
    token: Any,
) -> list[tuple[str, str, Callable[[], object] | str]]:
    from dmr.security.jwt.token import JWToken as BuiltinJWToken

    builtin = BuiltinJWToken(
        sub=token.sub,
        exp=token.exp,
        jti=token.jti,
        extras=dict(token.extras),
    )
    return [
        (
            'decode',
            'dmr built-in `JWToken.decode`',
            lambda: BuiltinJWToken.decode(encoded, secret, 'HS256'),
        ),
        (
            'encode',
            'dmr built-in `JWToken.encode`',
            lambda: builtin.encode(secret, 'HS256'),
        ),
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure every case; the cases that cannot run say why."""
    repeats = 3 if quick else _REPEATS
    seconds = 0.02 if quick else _REPEAT_SECONDS
    results = []
    for group, name, case in _cases():
        row: dict[str, Any] = {'group': group, 'name': name}
        if isinstance(case, str):
            row['error'] = case
        else:
            case()  # fails loudly before timing, if it fails at all
            row.update(_median_us(case, repeats, seconds))
        results.append(row)
    # Decoding first, then encoding; the order of the cases within each.
    return sorted(results, key=lambda row: row['group'] != 'decode')


def main(argv: list[str] | None = None) -> int:
    """Run the micro-benchmarks, write JSON."""
    parser = argparse.ArgumentParser(prog='python -m benchmarks.micro')
    parser.add_argument('--out', type=Path)
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args(argv)
    cpu.pin_to_one()
    os.environ['DJANGO_SETTINGS_MODULE'] = 'benchmarks.settings.micro'
    import django

    django.setup()
    text = json.dumps({'micro': run(args.quick)}, indent=1)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
