"""The audit signals of :mod:`dmr_jwt.signals`.

Sent by the obtain and refresh controllers (sync and async, both
serializers) and by the blocklist mixins; never with a password or an
encoded token.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeAlias

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.dispatch import Signal
from django.http import HttpRequest
from django.test import Client

from dmr_jwt import JWToken
from dmr_jwt.signals import (
    login_failed,
    token_revoked,
    tokens_obtained,
    tokens_refreshed,
)
from tests.app import views
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth
from tests.conftest import FAMILY_ID, Mode, SerializerName

Url: TypeAlias = Callable[[str], str]
Calls: TypeAlias = dict[Signal, list[dict[str, Any]]]

SECRET: Final = 'S3cret-Pa55word!'
USERNAME: Final = 'audited_user'
_SIGNALS: Final = (
    tokens_obtained,
    tokens_refreshed,
    token_revoked,
    login_failed,
)


@pytest.fixture
def calls() -> Iterator[Calls]:
    """Record every call of every signal; disconnect afterwards."""
    recorded: Calls = {signal: [] for signal in _SIGNALS}
    receivers = []
    for signal in _SIGNALS:

        def receiver(
            recorded_calls: list[dict[str, Any]] = recorded[signal],
            **kwargs: Any,
        ) -> None:
            recorded_calls.append(kwargs)

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield recorded
    for signal, receiver in receivers:
        assert signal.disconnect(receiver)


@pytest.fixture
def audited_user(db: Any) -> User:
    """An active user whose password is easy to spot in a repr."""
    return User.objects.create_user(USERNAME, password=SECRET)


def _controller(serializer: SerializerName, name: str, mode: Mode) -> type:
    cls: type = getattr(
        views,
        f'{serializer.capitalize()}{name}{mode.capitalize()}',
    )
    return cls


def _login(client: Client, url: Url, password: str) -> Any:
    return client.post(
        url('obtain'),
        data={'username': USERNAME, 'password': password},
        content_type='application/json',
    )


def _assert_only(calls: Calls, signal: Signal, count: int = 1) -> None:
    for other, recorded in calls.items():
        assert len(recorded) == (count if other is signal else 0), other


def _assert_secret_free(calls: Calls, *secrets: str) -> None:
    for recorded in calls.values():
        for kwargs in recorded:
            for secret in (SECRET, *secrets):
                assert secret not in repr(kwargs)
                assert all(secret not in repr(v) for v in kwargs.values())


def test_tokens_obtained(
    client: Client,
    audited_user: User,
    *,
    url: Url,
    serializer: SerializerName,
    mode: Mode,
    calls: Calls,
) -> None:
    response = _login(client, url, SECRET)

    assert response.status_code == 200, response.content
    _assert_only(calls, tokens_obtained)
    kwargs = calls[tokens_obtained][0]
    assert set(kwargs) == {'signal', 'sender', 'request', 'user'}
    assert kwargs['sender'] is _controller(serializer, 'Obtain', mode)
    assert isinstance(kwargs['request'], HttpRequest)
    assert kwargs['user'] == audited_user
    _assert_secret_free(calls, *response.json().values())


def test_login_failed(
    client: Client,
    audited_user: User,
    *,
    url: Url,
    serializer: SerializerName,
    mode: Mode,
    calls: Calls,
) -> None:
    wrong = f'{SECRET}-wrong'

    response = _login(client, url, wrong)

    assert response.status_code == 401, response.content
    _assert_only(calls, login_failed)
    kwargs = calls[login_failed][0]
    assert set(kwargs) == {'signal', 'sender', 'request'}
    assert kwargs['sender'] is _controller(serializer, 'Obtain', mode)
    assert isinstance(kwargs['request'], HttpRequest)
    _assert_secret_free(calls, wrong)


def test_tokens_refreshed(
    client: Client,
    audited_user: User,
    *,
    url: Url,
    serializer: SerializerName,
    mode: Mode,
    calls: Calls,
) -> None:
    pair = _login(client, url, SECRET).json()
    calls[tokens_obtained].clear()

    response = client.post(
        url('refresh'),
        data={'refresh_token': pair['refresh_token']},
        content_type='application/json',
    )

    assert response.status_code == 200, response.content
    _assert_only(calls, tokens_refreshed)
    kwargs = calls[tokens_refreshed][0]
    assert set(kwargs) == {'signal', 'sender', 'request', 'user', 'token'}
    assert kwargs['sender'] is _controller(serializer, 'Refresh', mode)
    assert isinstance(kwargs['request'], HttpRequest)
    assert kwargs['user'] == audited_user
    token = kwargs['token']
    assert isinstance(token, JWToken)
    assert token.sub == str(audited_user.pk)
    assert token.extras == {'type': 'refresh', 'family': FAMILY_ID}
    _assert_secret_free(
        calls,
        pair['refresh_token'],
        *response.json().values(),
    )


@pytest.mark.django_db
def test_token_revoked_only_when_created(mode: Mode, calls: Calls) -> None:
    token = JWToken(
        sub='42',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        jti=uuid.uuid4().hex,
        extras={'type': 'access'},
    )
    auth: BlocklistSyncAuth | BlocklistAsyncAuth
    if mode == 'sync':
        auth = BlocklistSyncAuth()
        blocklist = auth.blocklist
    else:
        auth = BlocklistAsyncAuth()
        blocklist = async_to_sync(auth.blocklist)

    created = [blocklist(token)[1] for _ in range(2)]

    assert created == [True, False]
    _assert_only(calls, token_revoked)
    assert calls[token_revoked][0] == {
        'signal': token_revoked,
        'sender': type(auth),
        'token': token,
        'jti': token.jti,
        'sub': '42',
    }
