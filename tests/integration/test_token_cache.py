"""The verified token cache through real HTTP.

A hit skips signature verification, and nothing else: ``exp`` and ``nbf``
are still checked against the clock (with the leeway), the token type is
still checked, the blocklist still rejects, and two configurations that
verify tokens differently never share an entry. The cache as a unit is
tested in ``tests/_internal/test_token_cache.py``.

The tests run for both serializers and both sync and async controllers
(``perf_url``). Whether a request was a hit is observed with a spy on
``JWToken.decode``, the one verifying call of the auth classes
(``decoder``). Time moves with ``freezegun``, which PyJWT, ``JWToken``
and the cache all read.
"""

import datetime as dt
from typing import Any, Final

import pytest
from django.contrib.auth.models import User
from django.test import Client
from freezegun import freeze_time

from dmr_jwt import JWToken
from dmr_jwt.blocklist import store
from dmr_jwt.errors import Reason
from tests.app.perf_views import AUDIENCE_A, LEEWAY, OTHER_SECRET
from tests.conftest import assert_unauthorized
from tests.integration.perf import (
    START,
    Decoder,
    Url,
    assert_me,
    bearer,
    encode,
    make_claims,
)

pytestmark = pytest.mark.usefixtures('clean_default_cache')


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
