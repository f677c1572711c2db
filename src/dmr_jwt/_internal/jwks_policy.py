"""What of a fetched JWK Set is trusted, and which JWKS URLs are accepted.

A member of the set becomes a *verifying* :class:`~dmr_jwt.keys.Key` only
with a ``kid``, an ``alg`` among the supported public-key algorithms, no
private or symmetric parameter, ``use`` ``sig`` (or none) and ``key_ops``
that allow ``verify`` (or none), and a key that PyJWT loads for that
algorithm (the right ``kty`` and curve, RSA of 2048 bits at least). Every
other member is skipped and logged (``dmr_jwt.keys``), never its material.

A JWKS URL is ``https``; plain ``http`` only on a loopback address, where
nobody on the way can replace the keys.
"""

import ipaddress
import logging
import urllib.parse
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured

from dmr_jwt._internal import pyjwk as _pyjwk
from dmr_jwt._internal import pyjwt as _pyjwt
from dmr_jwt._internal.key import ASYMMETRIC_ALGORITHMS, Key, KeyState

__all__ = ('checked_url', 'loggable_url', 'usable_keys')

_logger: Final = logging.getLogger('dmr_jwt.keys')

#: JWK members that only a private or a symmetric key has (RFC 7518,
#: 6.2.2, 6.3.2, 6.4.1; RFC 8037, 2): a set that has one leaks a secret.
_PRIVATE_MEMBERS: Final = frozenset(
    {'d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'}
)

#: Host names that are loopback without asking a resolver.
_LOOPBACK_NAMES: Final = frozenset({'localhost', 'localhost.'})


def usable_keys(members: list[Any], where: str) -> list[Key]:
    """
    The trusted keys of a fetched JWK Set's *members*; the others logged.

    Args:
        members: The ``keys`` of the set, as fetched.
        where: The URL to name in log lines (see :func:`loggable_url`).

    """
    keys: list[Key] = []
    for index, member in enumerate(members):
        loaded = _load(member, {key.kid for key in keys})
        if isinstance(loaded, Key):
            keys.append(loaded)
            continue
        _logger.warning(
            'dmr_jwt: key #%d%s of %s skipped, never trusted: %s',
            index,
            _kid_label(member),
            where,
            loaded,
        )
    return keys


def _load(member: object, seen: set[str]) -> Key | str:
    """The key of one member, or why it is not trusted."""
    if not isinstance(member, dict):
        return 'not a JSON object'
    problem = next(
        (why for check, why in _CHECKS if not check(member)),
        None,
    )
    if problem is not None:
        return problem
    kid, algorithm = member['kid'], member['alg']
    if kid in seen:
        return 'another key of the set has this kid'
    try:
        verifying_key = _pyjwk.load_public_jwk(member, algorithm)
    except ValueError as exc:
        return str(exc)
    return Key(
        kid=kid,
        algorithm=algorithm,
        verifying_key=verifying_key,
        state=KeyState.VERIFYING,
    )


def _has_kid(member: dict[str, Any]) -> bool:
    kid = member.get('kid')
    return isinstance(kid, str) and 0 < len(kid) <= _pyjwt.MAX_KID_LENGTH


def _has_public_key_alg(member: dict[str, Any]) -> bool:
    return member.get('alg') in ASYMMETRIC_ALGORITHMS


def _is_public(member: dict[str, Any]) -> bool:
    return member.get('kty') != 'oct' and _PRIVATE_MEMBERS.isdisjoint(member)


def _signs(member: dict[str, Any]) -> bool:
    key_ops = member.get('key_ops')
    return member.get('use', 'sig') == 'sig' and (
        key_ops is None or (isinstance(key_ops, list) and 'verify' in key_ops)
    )


#: What a member must be before PyJWT loads it, and why it was skipped.
_CHECKS: Final = (
    (_has_kid, 'no "kid" (a non-empty string of at most 256 characters)'),
    (_has_public_key_alg, 'no "alg", or not a supported public-key one'),
    (_is_public, 'a private or symmetric key (published by mistake?)'),
    (_signs, '"use" is not "sig", or "key_ops" lacks "verify"'),
)


def _kid_label(member: object) -> str:
    if isinstance(member, dict):
        kid = member.get('kid')
        if isinstance(kid, str) and 0 < len(kid) <= _pyjwt.MAX_KID_LENGTH:
            return f' (kid {kid!r})'
    return ''


def checked_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if not parts.hostname or scheme not in {'http', 'https'}:
        raise ImproperlyConfigured(
            f'JWKS_URL must be an https:// URL, got {loggable_url(url)!r}',
        )
    if scheme == 'http' and not _is_loopback(parts.hostname):
        raise ImproperlyConfigured(
            f'JWKS_URL {loggable_url(url)!r}: keys fetched over plain http '
            'could be replaced by anyone on the way; use https (http is '
            'accepted only for loopback addresses: 127.0.0.1, ::1, '
            'localhost)',
        )
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loggable_url(url: str) -> str:
    """The URL without user, password, query or fragment (may be secret)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ''
        port = f':{parts.port}' if parts.port else ''
    except ValueError:
        return '<invalid URL>'
    if ':' in host:
        host = f'[{host}]'
    return f'{parts.scheme}://{host}{port}{parts.path}'
