"""Mixins that add the blocklist to JWT auth classes and refresh controllers.

.. code:: python

    class BlocklistJWTSyncAuth(JWTokenBlocklistSyncMixin, JWTSyncAuth): ...

Revocation goes through :mod:`dmr_jwt.blocklist.store`; in steady
state a check is one cache round trip (``get_many``) and no query. A token
without ``jti`` cannot be revoked, so these mixins reject it with ``401``.
They also reject every token issued before its user's "log out everywhere"
watermark (:func:`dmr_jwt.blocklist.revoke_all_tokens`), compared with
``iat``, and every token of a revoked family (``extras.family``: logout, or
a replayed refresh token; see :mod:`dmr_jwt.blocklist.store`).
Every token has an ``iat``: decoding refuses a token without one (``401``,
"Token is missing a required claim", :meth:`dmr_jwt.token.JWToken.from_claims`),
never takes it as issued "now", so the watermark revokes every token issued
before it, whoever issued it; no ``require_claims`` is needed for that.

Refresh controllers take either kind of mixin:

- ``RefreshTokenBlocklistSyncMixin`` / ``RefreshTokenBlocklistAsyncMixin``
  check in ``check_refresh_token``, before the user lookup (a revoked
  token costs no user query), and implement rotation
  (``jwt_rotate_refresh_tokens``);
- ``JWTokenBlocklistSyncMixin`` / ``JWTokenBlocklistAsyncMixin`` check in
  ``check_auth(user, token)``, after the user lookup, as in
  django-modern-rest 0.16, whose refresh controllers call it that way.

Both together check twice; the answer is the same.
"""

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from typing_extensions import override

from dmr_jwt import signals as _signals
from dmr_jwt._internal import auth_base as _auth_base
from dmr_jwt._internal.http_errors import token_error as _token_error
from dmr_jwt.blocklist import _sessions
from dmr_jwt.blocklist.store import BlocklistError as _BlocklistError
from dmr_jwt.blocklist.store import get_store as _get_store
from dmr_jwt.errors import Reason as _Reason
from dmr_jwt.token import JWToken as _JWToken

if TYPE_CHECKING:
    from dmr_jwt._internal.token_checks import RefreshTokenChecks
    from dmr_jwt.blocklist.models import BlocklistedJWToken

    class _SyncAuthBase:
        # What the mixin needs of the class it is mixed into: an auth
        # class (`check_auth(user, token)`) or a refresh controller
        # (`check_auth(user, token=None)`).
        def check_auth(self, user: Any, token: _JWToken | None = None) -> None:
            """The ``check_auth`` below the mixin."""

    class _AsyncAuthBase:
        async def check_auth(
            self,
            user: Any,
            token: _JWToken | None = None,
        ) -> None:
            """The ``check_auth`` below the mixin."""

    class _SyncRefreshBase(RefreshTokenChecks[Any]):
        # The hooks of every sync refresh controller, body
        # (`RefreshTokenSyncController`) or cookie
        # (`CookieRefreshTokensSyncController`).
        def check_refresh_token(self, token: _JWToken) -> None:
            """The ``check_refresh_token`` below the mixin."""

        def use_refresh_token(self, token: _JWToken) -> bool:
            """The ``use_refresh_token`` below the mixin."""

    class _AsyncRefreshBase(RefreshTokenChecks[Any]):
        async def check_refresh_token(self, token: _JWToken) -> None:
            """The ``check_refresh_token`` below the mixin."""

        async def use_refresh_token(self, token: _JWToken) -> bool:
            """The ``use_refresh_token`` below the mixin."""
else:
    _SyncAuthBase = _AsyncAuthBase = object
    _SyncRefreshBase = _AsyncRefreshBase = object

_logger = logging.getLogger(__name__)

__all__ = (
    'JWTokenBlocklistAsyncMixin',
    'JWTokenBlocklistSyncMixin',
    'RefreshTokenBlocklistAsyncMixin',
    'RefreshTokenBlocklistSyncMixin',
)


class JWTokenBlocklistSyncMixin(_SyncAuthBase):
    """
    Sync mixin for working with tokens blocklist.

    Mix it into a sync auth class (``JWTSyncAuth``) or a sync refresh
    controller (``RefreshTokenSyncController``).
    """

    __slots__ = ()

    #: ``check_auth`` must get the token (refresh controllers check it).
    _jwt_check_auth_needs_token: ClassVar[bool] = True

    def blocklist(self, token: _JWToken) -> tuple['BlocklistedJWToken', bool]:
        """
        Add token to the blocklist: ``(row, created)``.

        Raises:
            NotAuthenticatedError: If the token has no usable ``jti``.

        """
        with _jti_required():
            row, created = _get_store().blocklist(token, grace=_grace(self))
        if created:
            _signals.token_revoked.send(**_revoked_kwargs(self, token, row))
        return row, created

    @override
    def check_auth(self, user: Any, token: _JWToken | None = None) -> None:
        """
        Reject a revoked token: blocklisted, before the watermark, or family.

        Raises:
            NotAuthenticatedError: When the token is revoked.
            TypeError: When called without the token.

        """
        token = _given(token, self)
        super().check_auth(user, token)
        _reject_if_revoked(token, _grace(self))


class JWTokenBlocklistAsyncMixin(_AsyncAuthBase):
    """
    Async mixin for working with tokens blocklist.

    Mix it into an async auth class (``JWTAsyncAuth``) or an async refresh
    controller (``RefreshTokenAsyncController``).
    """

    __slots__ = ()

    #: ``check_auth`` must get the token (refresh controllers check it).
    _jwt_check_auth_needs_token: ClassVar[bool] = True

    async def blocklist(
        self,
        token: _JWToken,
    ) -> tuple['BlocklistedJWToken', bool]:
        """Add token to the blocklist. See the sync mixin."""
        with _jti_required():
            row, created = await _get_store().ablocklist(
                token, grace=_grace(self)
            )
        if created:
            await _signals.token_revoked.asend(
                **_revoked_kwargs(self, token, row)
            )
        return row, created

    @override
    async def check_auth(
        self,
        user: Any,
        token: _JWToken | None = None,
    ) -> None:
        """See :meth:`JWTokenBlocklistSyncMixin.check_auth`."""
        token = _given(token, self)
        await super().check_auth(user, token)
        await _areject_if_revoked(token, _grace(self))


class _RotationSettings:
    """
    The rotation settings of the refresh mixins, checked at class creation.

    Attributes:
        jwt_rotate_refresh_tokens: Use every refresh token up on its first
            successful refresh (rotation), and revoke its whole family
            when it is presented again after
            :attr:`jwt_rotation_grace_period`. Defaults to ``False``.
        jwt_rotation_grace_period: How long after its use a used refresh
            token only gets a ``401`` (a retry after a lost response, two
            tabs refreshing at once) instead of revoking its family.
            Defaults to 10 seconds.

    """

    jwt_rotate_refresh_tokens: ClassVar[bool] = False
    jwt_rotation_grace_period: ClassVar[dt.timedelta] = dt.timedelta(
        seconds=10,
    )

    @override
    def __init_subclass__(cls, **kwargs: Any) -> None:
        """
        Refuse a rotation setting that cannot work, at start-up.

        Raises:
            ImproperlyConfigured: When the grace period is negative.

        """
        super().__init_subclass__(**kwargs)
        if cls.jwt_rotation_grace_period < dt.timedelta(0):
            raise ImproperlyConfigured(
                f'{cls.__qualname__}: jwt_rotation_grace_period '
                'must not be negative',
            )


class RefreshTokenBlocklistSyncMixin(_RotationSettings, _SyncRefreshBase):
    """
    Makes a sync refresh controller reject revoked refresh tokens.

    Revoked: blocklisted, issued before the user's watermark, or of a
    revoked family. With ``jwt_rotate_refresh_tokens = True`` it also
    rotates: see :meth:`use_refresh_token` and :class:`_RotationSettings`.
    """

    @override
    def check_refresh_token(self, token: _JWToken) -> None:
        """Reject a revoked refresh token, or one without ``jti``."""
        super().check_refresh_token(token)
        _reject_if_revoked(token)

    @override
    def use_refresh_token(self, token: _JWToken) -> bool:
        """
        With rotation, use *token* up; refuse a second use.

        Returns:
            Whether the token was used up (``False`` without rotation).

        Raises:
            NotAuthenticatedError: When the token was used before. After
                ``jwt_rotation_grace_period`` its family is revoked too.

        """
        if not self.jwt_rotate_refresh_tokens:
            return False
        with _jti_required():
            used_at = _get_store().use_refresh_token(token)
        if used_at is None:
            return True
        replay = _sessions.Replay.of(self, token, used_at)
        if replay.revokes_family:
            with _logged_if_unstorable():
                _get_store().revoke_family(**replay.revoke_family_kwargs())
        _signals.token_reuse_detected.send(**replay.signal_kwargs())
        raise _token_error(_Reason.REUSED)


class RefreshTokenBlocklistAsyncMixin(_RotationSettings, _AsyncRefreshBase):
    """Makes an async refresh controller reject revoked refresh tokens."""

    @override
    async def check_refresh_token(self, token: _JWToken) -> None:
        """Reject a revoked refresh token, or one without ``jti``."""
        await super().check_refresh_token(token)
        await _areject_if_revoked(token)

    @override
    async def use_refresh_token(self, token: _JWToken) -> bool:
        """See :meth:`RefreshTokenBlocklistSyncMixin.use_refresh_token`."""
        if not self.jwt_rotate_refresh_tokens:
            return False
        with _jti_required():
            used_at = await _get_store().ause_refresh_token(token)
        if used_at is None:
            return True
        replay = _sessions.Replay.of(self, token, used_at)
        if replay.revokes_family:
            with _logged_if_unstorable():
                await _get_store().arevoke_family(
                    **replay.revoke_family_kwargs()
                )
        await _signals.token_reuse_detected.asend(**replay.signal_kwargs())
        raise _token_error(_Reason.REUSED)


@contextlib.contextmanager
def _jti_required() -> Iterator[None]:
    # A token that the store cannot key (no usable `jti`) is a 401.
    try:
        yield
    except _BlocklistError:
        raise _token_error(_Reason.MISSING_CLAIM) from None


@contextlib.contextmanager
def _logged_if_unstorable() -> Iterator[None]:
    # A replay's family with a `sub` too long to store: the replay is
    # refused all the same, the family cannot be revoked.
    try:
        yield
    except _BlocklistError:
        _logger.exception('dmr_jwt: a replayed family stays valid')


def _revoked_kwargs(
    auth: object,
    token: _JWToken,
    row: 'BlocklistedJWToken',
) -> dict[str, Any]:
    # The `token_revoked` payload, documented in `dmr_jwt.signals`.
    return {
        'sender': type(auth),
        'token': token,
        'jti': row.jti,
        'sub': row.sub,
    }


def _grace(owner: object) -> dt.timedelta:
    # How long after `exp` the class the mixin is in still accepts a token.
    # An auth class: its leeway, forever when it does not check `exp`. A
    # refresh controller: none, because it verifies refresh tokens with no
    # leeway and always checks `exp` (`RefreshTokenChecks`); that is all a
    # revoked refresh token needs. (Access tokens are blocklisted by the
    # auth classes, with their own leeway.)
    if not isinstance(owner, _auth_base.BaseJWTAuth):
        return dt.timedelta(0)
    if not owner.options.verify_exp:
        return _FOREVER
    return dt.timedelta(seconds=owner.options.leeway)


def _given(token: _JWToken | None, owner: object) -> _JWToken:
    # Refresh controllers refuse, when the class is made, a `check_auth`
    # chain that would drop the token (`check_auth_takes_token`).
    if token is None:
        raise TypeError(
            f'{type(owner).__qualname__}.check_auth needs the token: '
            'call check_auth(user, token)',
        )
    return token


#: Tokens that never expire stay revoked (practically) forever.
_FOREVER = dt.timedelta(days=365 * 100)


def _reject_if_revoked(
    token: _JWToken,
    grace: dt.timedelta = dt.timedelta(0),
) -> None:
    with _jti_required():
        revoked = _get_store().is_revoked(token, grace=grace)
    if revoked:
        raise _token_error(_Reason.REVOKED)


async def _areject_if_revoked(
    token: _JWToken,
    grace: dt.timedelta = dt.timedelta(0),
) -> None:
    with _jti_required():
        revoked = await _get_store().ais_revoked(token, grace=grace)
    if revoked:
        raise _token_error(_Reason.REVOKED)


@checks.register(checks.Tags.security)
def _check_app_installed(**kwargs: Any) -> list[checks.CheckMessage]:
    # Registered on import: whoever imports these mixins uses the blocklist,
    # and the app's own `ready()` never runs when the app is not installed.
    from django.apps import apps  # noqa: PLC0415

    if apps.is_installed('dmr_jwt.blocklist'):
        return []
    return [
        checks.Error(
            'The dmr_jwt blocklist mixins are used, '
            "but 'dmr_jwt.blocklist' is not in INSTALLED_APPS.",
            hint="Add 'dmr_jwt.blocklist' to INSTALLED_APPS and migrate.",
            id='dmr_jwt.E001',
        ),
    ]
