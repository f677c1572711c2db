"""The test app over HTTP, as the fault tests see it: timed calls, no 500s.

:class:`Probe` calls the blocklist endpoints of :mod:`tests.faults.urls`
(protected ``me``, ``obtain``, ``refresh`` with and without rotation,
logout, log out everywhere) through Django's test client, in the sync or
async controllers, and records every call with its start, duration and
status. Each call fails the test at once on a ``5xx`` other than ``503``
or when it takes longer than :data:`CALL_BOUND`.

:meth:`Probe.revoked` records the moment a revocation returned;
:meth:`Probe.check_revocations` then asserts the guarantee of the store:
every call made with a revoked token later than that moment plus
``BLOCKLIST_MAX_STALENESS`` (plus :data:`MARGIN`) was refused.
"""

import dataclasses
import json
import time
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from django.test import Client

from tests.conftest import PASSWORD, Mode

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

__all__ = (
    'CALL_BOUND',
    'MARGIN',
    'Call',
    'Pair',
    'Probe',
)

#: Longest any call may take, even with Redis frozen (seconds).
CALL_BOUND: Final = 3.0

#: Slack on top of ``BLOCKLIST_MAX_STALENESS`` for clocks and rounding.
MARGIN: Final = 0.5

#: The statuses of a successful logout / log out everywhere.
LOGGED_OUT: Final = frozenset({200, 204})

#: The statuses a revoked token may get: refused, or the DB is down.
REFUSED: Final = frozenset({401, 503})

Endpoint: TypeAlias = Literal[
    'me',
    'obtain',
    'refresh',
    'rotate',
    'logout',
    'everywhere',
]

_SERIALIZER: Final = 'pydantic'


@dataclasses.dataclass(frozen=True, slots=True)
class Pair:
    """An access and a refresh token of one session."""

    access: str
    refresh: str


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """One HTTP call: what, with which token, when, how long, what came."""

    endpoint: Endpoint
    token: str | None
    started: float
    elapsed: float
    status: int

    @property
    def ended(self) -> float:
        """When the answer came (``time.monotonic``)."""
        return self.started + self.elapsed


class Probe:
    """Timed calls to the test app; see the module docstring."""

    def __init__(
        self,
        client: Client,
        *,
        mode: Mode,
        max_staleness: float,
    ) -> None:
        self.client = client
        self.mode = mode
        self.max_staleness = max_staleness
        self.calls: list[Call] = []
        #: Token -> when its revocation returned (``time.monotonic``).
        self.revoked_at: dict[str, float] = {}
        #: The refresh tokens among them.
        self.refresh_tokens: set[str] = set()

    # Endpoints:

    def login(self, username: str = 'test_user') -> Pair:
        """Obtain a pair (``200`` required)."""
        response = self._post(
            'obtain',
            {'username': username, 'password': PASSWORD},
        )
        assert response.status_code == 200, response.content
        return _pair(response)

    def me(self, access: str) -> int:
        """``GET`` the protected endpoint: its status."""
        return self._call('me', access, 'get', self._url('me')).status_code

    def refresh(self, refresh: str, *, rotate: bool = False) -> Pair | None:
        """Refresh (rotating or not): the new pair, or ``None`` if refused."""
        endpoint: Endpoint = 'rotate' if rotate else 'refresh'
        response = self._post(endpoint, {'refresh_token': refresh}, refresh)
        return _pair(response) if response.status_code == 200 else None

    def try_logout(self, pair: Pair) -> 'Response':
        """Ask to log the session of *pair* out: the response, as it came."""
        return self._post(
            'logout',
            {'refresh_token': pair.refresh},
            pair.access,
        )

    def logout(self, pair: Pair) -> Call:
        """Log the session of *pair* out: both its tokens are revoked."""
        self.try_logout(pair)
        return self._revoked(pair)

    def everywhere(self, pair: Pair, *others: Pair) -> Call:
        """Log the user out everywhere with *pair*: every pair is revoked."""
        self._post('everywhere', None, pair.access)
        return self._revoked(pair, *others)

    def revoke_with(self, pair: Pair, parent: str) -> None:
        """Count *pair* (minted by or before *parent*) as revoked with it."""
        self.revoked_at.setdefault(pair.access, self.revoked_at[parent])
        self.revoked_at.setdefault(pair.refresh, self.revoked_at[parent])
        self.refresh_tokens.add(pair.refresh)

    # The guarantee:

    def deadline(self, token: str) -> float:
        """From when on *token* must be refused (``time.monotonic``)."""
        return self.revoked_at[token] + self.max_staleness + MARGIN

    def past_deadline(self) -> float:
        """When the last revocation's deadline passed or will pass."""
        return max(self.deadline(token) for token in self.revoked_at)

    def check_revocations(self) -> None:
        """Every call with a revoked token after its deadline was refused."""
        accepted = [
            call
            for call in self.calls
            if call.token in self.revoked_at
            and call.started > self.deadline(call.token)
            and call.status not in REFUSED
        ]
        assert not accepted, (
            f'{len(accepted)} calls with a revoked token accepted later '
            f'than {self.max_staleness} s + {MARGIN} s after the '
            'revocation returned (endpoint, status, seconds after it): '
            + ', '.join(self._describe(call) for call in accepted[:5])
        )

    def check_calls(self) -> None:
        """Every call was answered in time and without a server error."""
        for call in self.calls:
            _check_call(call)

    # Helpers:

    def _describe(self, call: Call) -> str:
        assert call.token is not None
        after = call.started - self.revoked_at[call.token]
        return f'({call.endpoint}, {call.status}, {after:.2f} s)'

    def _url(self, endpoint: Endpoint) -> str:
        if endpoint == 'rotate':
            return f'/rotation/{_SERIALIZER}/{self.mode}/'
        if endpoint in {'logout', 'everywhere'}:
            return f'/{endpoint}/{_SERIALIZER}/{self.mode}/'
        return f'/blocklist/{_SERIALIZER}/{endpoint}/{self.mode}/'

    def _post(
        self,
        endpoint: Endpoint,
        body: dict[str, str] | None,
        token: str | None = None,
    ) -> 'Response':
        return self._call(endpoint, token, 'post', self._url(endpoint), body)

    def _call(
        self,
        endpoint: Endpoint,
        token: str | None,
        method: Literal['get', 'post'],
        url: str,
        body: dict[str, str] | None = None,
    ) -> 'Response':
        # The refresh token travels in the body, every other in the header.
        headers = (
            {'Authorization': f'Bearer {token}'}
            if token is not None and endpoint not in {'refresh', 'rotate'}
            else {}
        )
        started = time.monotonic()
        if method == 'get':
            response = self.client.get(url, headers=headers)
        elif body is None:
            response = self.client.post(url, headers=headers)
        else:
            response = self.client.post(
                url,
                data=json.dumps(body),
                content_type='application/json',
                headers=headers,
            )
        call = Call(
            endpoint=endpoint,
            token=token,
            started=started,
            elapsed=time.monotonic() - started,
            status=response.status_code,
        )
        self.calls.append(call)
        _check_call(call, response.content)
        return response

    def _revoked(self, *pairs: Pair) -> Call:
        call = self.calls[-1]
        assert call.status in LOGGED_OUT, call
        for pair in pairs:
            self.revoked_at.setdefault(pair.access, call.ended)
            self.revoked_at.setdefault(pair.refresh, call.ended)
            self.refresh_tokens.add(pair.refresh)
        return call


def _pair(response: 'Response') -> Pair:
    body = response.json()
    return Pair(access=body['access_token'], refresh=body['refresh_token'])


def _check_call(call: Call, content: bytes = b'') -> None:
    assert call.status < 500 or call.status == 503, (call, content[:500])
    assert call.elapsed < CALL_BOUND, call
