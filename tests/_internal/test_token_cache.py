"""``VerifiedTokenCache``: the verified token cache, as a unit.

What a hit does through real HTTP (it skips signature verification and
nothing else) is in ``tests/integration/test_token_cache.py``.
"""

import datetime as dt
import random
import threading
import time
import uuid
from typing import Final

import pytest
from django.conf import settings
from freezegun import freeze_time

from dmr_jwt import JWToken, JWTSyncAuth
from dmr_jwt._internal.token_cache import (
    VerifiedTokenCache,
    verified_token_cache,
)

#: Where frozen clocks start: whole seconds, like token time claims.
START: Final = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)

#: How long the tokens of these tests live.
LIFETIME: Final = 3600


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


def test_timedelta_leeway_works_with_the_token_cache() -> None:
    auth = JWTSyncAuth(leeway=dt.timedelta(seconds=30), token_cache_size=8)
    token = JWToken(
        sub='1',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
        jti='b' * 32,
        extras={'type': 'access'},
    ).encode(settings.SECRET_KEY, 'HS256')

    assert auth.options.leeway == 30
    assert auth.decode_token(token).sub == '1'
    assert auth.decode_token(token).sub == '1'  # the cache hit
