"""Checks of the tokens that a controller is given (refresh, verify, logout).

``RefreshTokenChecks`` verifies a presented token through the controller's
``TokenVerifier`` (the one decode path), and holds what the refresh, verify
and logout controllers share about the user and the token family. It does no
I/O and does not know the blocklist app.
"""

from typing import Any, ClassVar

from django.views.decorators.debug import sensitive_variables
from dmr.serializer import BaseSerializer
from typing_extensions import TypeVar, override

from dmr_jwt._internal.controllers import TokenController, TokenType
from dmr_jwt._internal.families import refresh_family, set_request_family
from dmr_jwt._internal.hooks import check_auth_takes_token
from dmr_jwt._internal.http_errors import http_errors, token_error
from dmr_jwt._internal.users import SubjectLookup
from dmr_jwt.errors import Reason
from dmr_jwt.token import JWToken

__all__ = ('RefreshTokenChecks',)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)

#: Tokens longer than this are rejected before any parsing.
_MAX_TOKEN_LENGTH = 8 * 1024


class RefreshTokenChecks(TokenController[_SerializerT]):
    """
    Refresh token checks, shared by the sync and async controllers.

    Attributes:
        jwt_user_id_field: User model field matched against ``token.sub``.
            Defaults to ``'pk'``.

    Rotation (``jwt_rotate_refresh_tokens``) is a setting of the blocklist
    app's refresh mixins, which implement it.
    """

    jwt_user_id_field: ClassVar[str] = 'pk'

    #: Whether ``check_auth`` is called with the token, decided per class.
    _jwt_check_auth_takes_token: ClassVar[bool] = True

    @override
    def __init_subclass__(cls) -> None:
        """Decide once how ``check_auth`` is called (see ``hooks``)."""
        super().__init_subclass__()
        cls._jwt_check_auth_takes_token = check_auth_takes_token(cls)

    @sensitive_variables()
    def _decode_refresh_token(self, encoded_token: object) -> JWToken:
        """Verify a refresh token: see :meth:`_decode_token`."""
        return self._decode_token(encoded_token, 'refresh')

    @sensitive_variables()
    def _decode_token(
        self,
        encoded_token: object,
        token_type: TokenType,
    ) -> JWToken:
        """
        Verify a token: signature, time claims, ``extras.type``.

        The one decode path of the controllers that take a token (refresh,
        verify): :attr:`jwt_token_cls` with :meth:`jwt_verify_options`.

        Raises:
            NotAuthenticatedError: For any token that is not a valid,
                unexpired token of *token_type*.

        """
        if (
            not isinstance(encoded_token, str)
            or not encoded_token
            or len(encoded_token) > _MAX_TOKEN_LENGTH
        ):
            raise token_error(Reason.MALFORMED)
        with http_errors():
            token = self.jwt_token_verifier().verify(encoded_token)
        if token.extras.get('type') != token_type:
            raise token_error(Reason.WRONG_TYPE)
        return token

    def _continue_family(self, token: JWToken) -> None:
        """Issue this request's tokens into the family of *token*."""
        family = refresh_family(token)
        if family is not None:
            set_request_family(self.request, family)

    def _subject_lookup(self) -> SubjectLookup:
        return SubjectLookup(self.jwt_user_id_field)

    def _check_auth_args(self, user: Any, token: JWToken) -> tuple[Any, ...]:
        # `check_auth(user, token)`, as django-modern-rest 0.16 calls it;
        # `check_auth(user)` for classes that still override the
        # one-argument form (see `_internal.hooks.check_auth_takes_token`).
        if self._jwt_check_auth_takes_token:
            return (user, token)
        return (user,)

    def _check_active(self, user: Any) -> None:
        if not getattr(user, 'is_active', False):
            raise token_error(Reason.USER_INACTIVE)

    def _rotated_signal_kwargs(self, token: JWToken) -> dict[str, Any]:
        return {
            **self._user_signal_kwargs(),
            'token': token,
            'family': refresh_family(token),
        }
