"""Reusable controllers that tell whether a token is still good.

``POST`` a token in the body: ``204 No Content`` when it is a valid token
of the expected type (``jwt_verify_token_type``, ``'access'`` by default)
for an existing, active user; ``401`` with the precise reason otherwise
(:class:`~dmr_jwt.errors.Reason`); ``400`` for a body that does not parse;
``503`` when the database or the cache cannot answer.

The token is decoded exactly as the refresh controllers decode theirs
(``RefreshTokenChecks`` in ``dmr_jwt._internal.token_checks``), and the user
is found by the same lookup. Revocation is the blocklist app's: its
``VerifyTokenBlocklistSyncMixin`` / ``VerifyTokenBlocklistAsyncMixin``
reject revoked tokens in :meth:`VerifyTokenSyncController.check_token`, and
the ready-to-use controllers of :mod:`dmr_jwt.concrete_views` check it
whenever the app is installed. Unlike simplejwt's verify, which skips the
blocklist unless rotation is on, a verify with the mixin never skips it.
"""

from abc import abstractmethod
from http import HTTPStatus
from typing import Any, ClassVar, Final, Generic, Literal, get_args

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables
from dmr import Body, modify
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, TypeVar, override

from dmr_jwt._internal import controllers as _controllers
from dmr_jwt._internal import reports as _reports
from dmr_jwt._internal import token_checks as _token_checks
from dmr_jwt.token import JWToken as _JWToken

__all__ = (
    'VerifyTokenAsyncController',
    'VerifyTokenPayload',
    'VerifyTokenSyncController',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)
_VerifyTokenT = TypeVar('_VerifyTokenT')

_VerifiedType = Literal['access', 'refresh']

#: The hooks of the verify controllers, all sync or all async.
_VERIFY_HOOKS: Final = ('check_token', 'check_auth', 'convert_verify_payload')


class VerifyTokenPayload(TypedDict):
    """Default request body type for the verify token endpoint."""

    access_token: str


class _VerifyTokenChecks(_token_checks.RefreshTokenChecks[_SerializerT]):
    """
    What the sync and async verify controllers share.

    Attributes:
        jwt_verify_token_type: The ``extras.type`` a token must have:
            ``'access'`` (the default, as in django-modern-rest 0.16) or
            ``'refresh'``. Any other type is ``401`` "Wrong token type".

    """

    jwt_verify_token_type: ClassVar[_VerifiedType] = 'access'  # noqa: S105
    response_status_code: ClassVar[HTTPStatus] = HTTPStatus.NO_CONTENT

    @override
    def __init_subclass__(cls) -> None:
        """
        Refuse a token type that no controller issues, at start-up.

        Raises:
            ImproperlyConfigured: When :attr:`jwt_verify_token_type` is
                neither ``'access'`` nor ``'refresh'``.

        """
        super().__init_subclass__()
        if cls.jwt_verify_token_type not in get_args(_VerifiedType):
            raise ImproperlyConfigured(
                f'{cls.__qualname__}.jwt_verify_token_type must be '
                f"'access' or 'refresh', not {cls.jwt_verify_token_type!r}",
            )

    @sensitive_variables()
    def _decode_verified_token(self, encoded_token: object) -> _JWToken:
        return self._decode_token(encoded_token, self.jwt_verify_token_type)


class VerifyTokenSyncController(
    _VerifyTokenChecks[_SerializerT],
    Generic[_SerializerT, _VerifyTokenT],
):
    """
    Sync controller to verify a token.

    Accepts a token in the request body, decodes and validates it, ensures
    it is of :attr:`jwt_verify_token_type` (an access token by default),
    and confirms that its subject is an existing, active user. Answers an
    empty ``204 No Content`` when the token is valid, ``401`` with the
    reason otherwise.

    Attributes:
        jwt_user_id_field: User model field matched against ``token.sub``.
            Defaults to ``'pk'``.
        jwt_verify_token_type: The ``extras.type`` a token must have,
            ``'access'`` by default.

    Hooks, in order: :meth:`convert_verify_payload`, :meth:`check_token`
    (before the user lookup: the blocklist app rejects revoked tokens
    there), :meth:`check_auth` (after it).

    .. versionadded:: 0.1.0
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_VERIFY_HOOKS, is_async=False)

    @sensitive_variables()
    @modify.lazy(_controllers.token_endpoint_spec)
    def post(self, parsed_body: Body[_VerifyTokenT]) -> None:
        """Verify the token on POST."""
        _reports.hide_secrets(self.request)
        self.verify(parsed_body)

    @sensitive_variables()
    def verify(self, parsed_body: _VerifyTokenT) -> None:
        """Validate the token and load its user; raise ``401`` if bad."""
        token = self._decode_verified_token(
            self.convert_verify_payload(parsed_body),
        )
        self.check_token(token)
        user = self._subject_lookup().get_user(token.sub)
        self.check_auth(*self._check_auth_args(user, token))

    def check_token(self, token: _JWToken) -> None:
        """
        Run extra checks of a valid token, before the user lookup.

        Does nothing by default; the blocklist app's
        ``VerifyTokenBlocklistSyncMixin`` rejects revoked tokens here.
        Raise :exc:`~dmr.exceptions.NotAuthenticatedError` to refuse.
        """

    def check_auth(self, user: Any, token: _JWToken | None = None) -> None:
        """
        Run extra checks on the token's user, raise if something is off.

        Called with the user and the verified *token*, as
        django-modern-rest 0.16 calls it; refuses inactive users.
        """
        self._check_active(user)

    @abstractmethod
    def convert_verify_payload(self, payload: _VerifyTokenT) -> str:
        """Extract the token string from the request payload."""
        raise NotImplementedError


class VerifyTokenAsyncController(
    _VerifyTokenChecks[_SerializerT],
    Generic[_SerializerT, _VerifyTokenT],
):
    """
    Async controller to verify a token.

    See :class:`VerifyTokenSyncController`.

    .. versionadded:: 0.1.0
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_VERIFY_HOOKS, is_async=True)

    @sensitive_variables()
    @modify.lazy(_controllers.token_endpoint_spec)
    async def post(self, parsed_body: Body[_VerifyTokenT]) -> None:
        """Verify the token on POST."""
        _reports.hide_secrets(self.request)
        await self.verify(parsed_body)

    @sensitive_variables()
    async def verify(self, parsed_body: _VerifyTokenT) -> None:
        """See :meth:`VerifyTokenSyncController.verify`."""
        token = self._decode_verified_token(
            await self.convert_verify_payload(parsed_body),
        )
        await self.check_token(token)
        user = await self._subject_lookup().aget_user(token.sub)
        await self.check_auth(*self._check_auth_args(user, token))

    async def check_token(self, token: _JWToken) -> None:
        """See :meth:`VerifyTokenSyncController.check_token`."""

    async def check_auth(
        self,
        user: Any,
        token: _JWToken | None = None,
    ) -> None:
        """See :meth:`VerifyTokenSyncController.check_auth`."""
        self._check_active(user)

    @abstractmethod
    async def convert_verify_payload(self, payload: _VerifyTokenT) -> str:
        """Extract the token string from the request payload."""
        raise NotImplementedError
