"""The verified token cache: the unit itself, then through real HTTP.

A hit skips signature verification, and nothing else: ``exp`` and ``nbf``
are still checked against the clock (with the leeway), the token type is
still checked, the blocklist still rejects, and two configurations that
verify tokens differently never share an entry.

The HTTP tests run for both serializers and both sync and async
controllers (``perf_url``). Whether a request was a hit is observed with
a spy on ``JWToken.decode``, the one verifying call of the auth classes
(``decoder``). Time moves with ``freezegun``, which PyJWT,
``JWToken`` and the cache all read.
"""

import dataclasses
import datetime as dt
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import jwt
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client
from freezegun import freeze_time

from dmr_jwt import JWToken
from dmr_jwt._internal.token_cache import (
    VerifiedTokenCache,
    verified_token_cache,
)
from dmr_jwt.blocklist import store
from dmr_jwt.errors import InvalidTokenError, Reason
from tests.app.perf_urls import perf_path
from tests.app.perf_views import AUDIENCE_A, LEEWAY, OTHER_SECRET
from tests.conftest import Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

Url: TypeAlias = Callable[[str], str]

pytestmark = pytest.mark.usefixtures('clean_default_cache')

#: Where frozen clocks start: whole seconds, like token time claims.
START: Final = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)

#: How long the tokens of these tests live, unless told otherwise.
LIFETIME: Final = 3600


# Helpers shared with `tests/test_performance_modes.py`:


def make_claims(
    sub: str,
    *,
    lifetime: int = LIFETIME,
    token_type: str = 'access',  # noqa: S107
    **claims: Any,
) -> dict[str, Any]:
    """Wire claims of a fresh token (unique ``jti``) issued now."""
    now = int(time.time())
    return {
        'sub': sub,
        'exp': now + lifetime,
        'iat': now,
        'jti': uuid.uuid4().hex,
        **claims,
        'extras': {'type': token_type},
    }


def encode(claims: dict[str, Any], secret: str | None = None) -> str:
    """Sign *claims* with HS256, ``settings.SECRET_KEY`` by default."""
    return jwt.encode(
        claims,
        secret or django_settings.SECRET_KEY,
        algorithm='HS256',
    )


def bearer(encoded: str) -> dict[str, str]:
    """The ``Authorization`` header that carries *encoded*."""
    return {'Authorization': f'Bearer {encoded}'}


def assert_me(
    response: 'Response',
    *,
    username: str,
    jti: str,
) -> dict[str, Any]:
    """Assert a ``200`` of the perf ``me`` endpoint; return its body."""
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert (body['username'], body['jti']) == (username, jti)
    assert body['is_authenticated'] is True
    assert body['is_anonymous'] is False
    return body


@pytest.fixture(name='perf_url')
def perf_url_fixture(serializer: SerializerName, mode: Mode) -> Url:
    """Build ``/perf/<serializer>/<variant>/<mode>/`` for the axes."""

    def factory(variant: str) -> str:
        return perf_path(serializer, variant, mode)

    return factory


@pytest.fixture
def clean_default_cache() -> Iterator[None]:
    """Start and end with an empty ``default`` cache (users, blocklist)."""
    caches['default'].clear()
    yield
    caches['default'].clear()


# The decoder spy:


@dataclasses.dataclass(slots=True)
class Decoder:
    """Records every token that the auth classes verify."""

    calls: list[str] = dataclasses.field(default_factory=list)
    #: Once set, verification refuses every token: only a hit can pass.
    broken: bool = False


@pytest.fixture
def decoder(monkeypatch: pytest.MonkeyPatch) -> Decoder:
    """Spy on ``JWToken.decode`` (optionally break it)."""
    spy = Decoder()
    original = JWToken.decode.__func__  # type: ignore[attr-defined]

    def decode(
        cls: type[JWToken],
        /,
        encoded: str,
        secret: str,
        **keywords: Any,
    ) -> JWToken:
        spy.calls.append(encoded)
        if spy.broken:
            raise InvalidTokenError(Reason.INVALID_SIGNATURE)
        return original(cls, encoded, secret, **keywords)  # type: ignore[no-any-return]

    monkeypatch.setattr(JWToken, 'decode', classmethod(decode))
    return spy


# The unit: `VerifiedTokenCache`.


def _token(sub: str = '1') -> JWToken:
    return JWToken(
        sub=sub,
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LIFETIME),
        jti=uuid.uuid4().hex,
    )


def _far_future() -> float:
    return time.time() + 10 * LIFETIME


def test_get_returns_what_put_stored() -> None:
    cache = VerifiedTokenCache(4)
    token, other = _token('1'), _token('2')

    cache.put('encoded-1', token, valid_until=_far_future())
    cache.put('encoded-2', other, valid_until=_far_future())

    assert cache.get('encoded-1') is token
    assert cache.get('encoded-2') is other
    assert cache.get('encoded-3') is None
    assert len(cache) == 2


def test_bounded_with_first_in_first_out_eviction() -> None:
    cache = VerifiedTokenCache(3)
    tokens = {f'encoded-{index}': _token(str(index)) for index in range(5)}

    for encoded, token in tokens.items():
        cache.put(encoded, token, valid_until=_far_future())
        assert len(cache) <= 3

    assert len(cache) == 3
    assert [cache.get(encoded) for encoded in tokens] == [
        None,
        None,
        tokens['encoded-2'],
        tokens['encoded-3'],
        tokens['encoded-4'],
    ]


def test_reading_does_not_refresh_the_eviction_order() -> None:
    cache = VerifiedTokenCache(2)
    first, second, third = _token('1'), _token('2'), _token('3')
    cache.put('first', first, valid_until=_far_future())
    cache.put('second', second, valid_until=_far_future())

    assert cache.get('first') is first
    cache.put('third', third, valid_until=_far_future())

    # First in, first out: a read does not make an entry younger.
    assert cache.get('first') is None
    assert cache.get('second') is second
    assert cache.get('third') is third


@pytest.mark.parametrize(
    ('valid_for', 'is_valid'),
    [
        pytest.param(1, True, id='one-second-left'),
        pytest.param(0, False, id='valid-until-now'),
        pytest.param(-1, False, id='expired'),
    ],
)
def test_expired_entries_are_dropped_on_get(
    *,
    valid_for: int,
    is_valid: bool,
) -> None:
    cache = VerifiedTokenCache(4)
    token = _token()
    with freeze_time(START):
        now = START.timestamp()
        cache.put('encoded', token, valid_until=now + valid_for)

        found = cache.get('encoded')

    assert (found is token) is is_valid
    # An expired entry is gone, it does not wait for eviction.
    assert len(cache) == (1 if is_valid else 0)


def test_not_yet_valid_entries_are_kept_but_not_returned() -> None:
    cache = VerifiedTokenCache(4)
    token = _token()
    with freeze_time(START) as clock:
        now = START.timestamp()
        cache.put(
            'encoded',
            token,
            valid_until=now + LIFETIME,
            valid_from=now + 10,
        )

        assert cache.get('encoded') is None
        assert len(cache) == 1
        clock.tick(dt.timedelta(seconds=9))
        assert cache.get('encoded') is None
        clock.tick(dt.timedelta(seconds=1))
        assert cache.get('encoded') is token


def test_clear_and_len() -> None:
    cache = VerifiedTokenCache(8)
    assert len(cache) == 0
    for index in range(3):
        cache.put(f'encoded-{index}', _token(), valid_until=_far_future())
    assert len(cache) == 3

    cache.clear()

    assert len(cache) == 0
    assert cache.get('encoded-0') is None


@pytest.mark.parametrize('max_size', [0, -1])
def test_cache_without_room_is_refused(max_size: int) -> None:
    with pytest.raises(ValueError, match='at least one token'):
        VerifiedTokenCache(max_size)


def test_putting_a_cached_token_again_evicts_nothing() -> None:
    cache = VerifiedTokenCache(2)
    cache.put('first', _token(), valid_until=_far_future())
    cache.put('second', _token(), valid_until=_far_future())

    cache.put('second', _token(), valid_until=_far_future())

    assert cache.get('first') is not None
    assert len(cache) == 2


def _fingerprint() -> tuple[object, ...]:
    # Unique per test: the registry is process-wide.
    return ('tests', uuid.uuid4().hex)


def test_verified_token_cache_is_one_per_fingerprint() -> None:
    fingerprint, other_fingerprint = _fingerprint(), _fingerprint()

    cache = verified_token_cache(fingerprint, 8)
    same = verified_token_cache(tuple(fingerprint), 8)
    other = verified_token_cache(other_fingerprint, 8)

    assert same is cache
    assert other is not cache
    assert isinstance(cache, VerifiedTokenCache)


def test_verified_token_cache_only_grows() -> None:
    fingerprint = _fingerprint()

    cache = verified_token_cache(fingerprint, 8)
    assert cache.max_size == 8
    assert verified_token_cache(fingerprint, 32) is cache
    assert cache.max_size == 32
    # A smaller size never shrinks what another auth instance asked for.
    assert verified_token_cache(fingerprint, 4) is cache
    assert cache.max_size == 32


def test_threads_share_a_cache_safely() -> None:
    cache = VerifiedTokenCache(50)
    tokens = [_token(str(index)) for index in range(200)]
    past, future = time.time() - 1, _far_future()
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311
        barrier.wait()
        try:
            for _ in range(3000):
                index = rng.randrange(len(tokens))
                encoded = f'encoded-{index}'
                if rng.random() < 0.5:
                    # Some entries are expired: `get` drops them.
                    valid_until = past if index % 3 == 0 else future
                    cache.put(encoded, tokens[index], valid_until=valid_until)
                else:
                    found = cache.get(encoded)
                    assert found is None or found is tokens[index]
                assert len(cache) <= cache.max_size
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(seed,)) for seed in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert 0 < len(cache) <= 50


# Through HTTP: a hit skips signature verification and nothing else.


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
@pytest.mark.parametrize(
    ('variant', 'is_cached'),
    [
        pytest.param('token-cache', True, id='token-cache'),
        # The control: without a cache, every request verifies.
        pytest.param('default', False, id='no-cache'),
    ],
)
def test_hit_skips_signature_verification(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
    variant: str,
    is_cached: bool,
) -> None:
    claims = make_claims(str(user.pk))
    first = encode(claims)
    assert_me(
        client.get(perf_url(variant), headers=bearer(first)),
        username=user.username,
        jti=claims['jti'],
    )
    assert decoder.calls == [first]

    decoder.broken = True
    response = client.get(perf_url(variant), headers=bearer(first))

    if is_cached:
        assert_me(response, username=user.username, jti=claims['jti'])
        assert decoder.calls == [first]
    else:
        assert_unauthorized(response, Reason.INVALID_SIGNATURE)
        assert decoder.calls == [first, first]
    # A token never seen before is verified, whatever the cache holds.
    second = encode(make_claims(str(user.pk)))
    assert_unauthorized(
        client.get(perf_url(variant), headers=bearer(second)),
        Reason.INVALID_SIGNATURE,
    )
    assert decoder.calls[-1] == second


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
def test_rejected_tokens_are_not_cached(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
) -> None:
    forged = encode(make_claims(str(user.pk)), secret=OTHER_SECRET)

    for _ in range(2):
        assert_unauthorized(
            client.get(perf_url('token-cache'), headers=bearer(forged)),
            Reason.INVALID_SIGNATURE,
        )

    assert decoder.calls == [forged, forged]


_LEEWAYS: Final = [
    pytest.param('token-cache', 0, id='no-leeway'),
    pytest.param('token-cache-leeway', LEEWAY, id='leeway'),
]


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
@pytest.mark.parametrize(('variant', 'leeway'), _LEEWAYS)
def test_cached_token_expires_on_time(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
    variant: str,
    leeway: int,
) -> None:
    with freeze_time(START) as clock:
        claims = make_claims(str(user.pk), lifetime=60)
        encoded = encode(claims)
        assert_me(
            client.get(perf_url(variant), headers=bearer(encoded)),
            username=user.username,
            jti=claims['jti'],
        )

        # The last second of validity (with the leeway): still a hit.
        clock.move_to(START + dt.timedelta(seconds=60 + leeway - 1))
        assert_me(
            client.get(perf_url(variant), headers=bearer(encoded)),
            username=user.username,
            jti=claims['jti'],
        )
        assert decoder.calls == [encoded]

        # `exp + leeway`: PyJWT's own limit. The entry is dropped,
        # the token verified again, and refused.
        clock.move_to(START + dt.timedelta(seconds=60 + leeway))
        assert_unauthorized(
            client.get(perf_url(variant), headers=bearer(encoded)),
            Reason.EXPIRED,
        )
        assert decoder.calls == [encoded, encoded]


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
@pytest.mark.parametrize(('variant', 'leeway'), _LEEWAYS)
def test_cached_token_respects_not_before(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
    variant: str,
    leeway: int,
) -> None:
    with freeze_time(START) as clock:
        # Valid from `START` on: `nbf` as late as the leeway allows.
        claims = make_claims(str(user.pk), nbf=int(START.timestamp()) + leeway)
        claims['iat'] -= 100
        encoded = encode(claims)
        assert_me(
            client.get(perf_url(variant), headers=bearer(encoded)),
            username=user.username,
            jti=claims['jti'],
        )

        # The clock steps back: the cached token is not valid yet.
        clock.move_to(START - dt.timedelta(seconds=1))
        assert_unauthorized(
            client.get(perf_url(variant), headers=bearer(encoded)),
            Reason.NOT_YET_VALID,
        )
        assert decoder.calls == [encoded, encoded]

        # Valid again: a hit, the entry was kept.
        clock.move_to(START)
        assert_me(
            client.get(perf_url(variant), headers=bearer(encoded)),
            username=user.username,
            jti=claims['jti'],
        )
        assert decoder.calls == [encoded, encoded]


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
def test_cached_token_is_rejected_once_blocklisted(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
) -> None:
    claims = make_claims(str(user.pk))
    encoded = encode(claims)
    path = perf_url('blocklist-token-cache')
    assert_me(
        client.get(path, headers=bearer(encoded)),
        username=user.username,
        jti=claims['jti'],
    )

    store.get_store().blocklist(JWToken.from_claims(claims))

    assert_unauthorized(
        client.get(path, headers=bearer(encoded)),
        Reason.REVOKED,
    )
    # The refusal came after a hit: revocation is checked on every request.
    assert decoder.calls == [encoded]


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
def test_cached_refresh_token_is_still_the_wrong_type(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
) -> None:
    encoded = encode(make_claims(str(user.pk), token_type='refresh'))

    for _ in range(2):
        assert_unauthorized(
            client.get(perf_url('token-cache'), headers=bearer(encoded)),
            Reason.WRONG_TYPE,
        )

    # Verified once, cached regardless of its type: the type check runs
    # on the hit too.
    assert decoder.calls == [encoded]


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
@pytest.mark.parametrize(
    ('cached_by', 'tried_on', 'secret', 'claims', 'reason'),
    [
        pytest.param(
            'token-cache-audience-a',
            'token-cache-audience-b',
            None,
            {'aud': AUDIENCE_A},
            Reason.INVALID_AUDIENCE,
            id='other-audience',
        ),
        pytest.param(
            'token-cache',
            'token-cache-other-secret',
            None,
            {},
            Reason.INVALID_SIGNATURE,
            id='other-secret',
        ),
        pytest.param(
            'token-cache-other-secret',
            'token-cache',
            OTHER_SECRET,
            {},
            Reason.INVALID_SIGNATURE,
            id='default-secret',
        ),
    ],
)
def test_configurations_never_share_entries(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
    cached_by: str,
    tried_on: str,
    secret: str | None,
    claims: dict[str, Any],
    reason: Reason,
) -> None:
    token_claims = make_claims(str(user.pk), **claims)
    encoded = encode(token_claims, secret)
    assert_me(
        client.get(perf_url(cached_by), headers=bearer(encoded)),
        username=user.username,
        jti=token_claims['jti'],
    )

    assert_unauthorized(
        client.get(perf_url(tried_on), headers=bearer(encoded)),
        reason,
    )
    assert decoder.calls == [encoded, encoded]
    # The entry of the first configuration is still there: a hit.
    assert_me(
        client.get(perf_url(cached_by), headers=bearer(encoded)),
        username=user.username,
        jti=token_claims['jti'],
    )
    assert decoder.calls == [encoded, encoded]


@pytest.mark.django_db
@pytest.mark.urls('tests.app.perf_urls')
def test_same_configuration_shares_entries(
    *,
    client: Client,
    user: User,
    perf_url: Url,
    decoder: Decoder,
) -> None:
    claims = make_claims(str(user.pk))
    encoded = encode(claims)

    # Another auth class, the same verifying configuration: one cache.
    for variant in ('token-cache', 'blocklist-token-cache'):
        assert_me(
            client.get(perf_url(variant), headers=bearer(encoded)),
            username=user.username,
            jti=claims['jti'],
        )

    assert decoder.calls == [encoded]
