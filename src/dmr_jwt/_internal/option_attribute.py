"""A read-only attribute of an auth that is a field of its ``options``.

The documented attribute names of the auth classes (``auth.algorithm``,
``auth.verify_expiry``, ...) read :class:`~dmr_jwt.VerifyOptions`, which is
resolved once in ``__init__``; assigning one fails loudly.
"""

from typing import Any, Generic, Self, TypeVar, cast, final, overload

from dmr_jwt.options import VerifyOptions

__all__ = ('OptionAttribute',)

_T = TypeVar('_T')


@final
class OptionAttribute(Generic[_T]):
    """A read-only attribute that is a field of ``self.options``."""

    __slots__ = ('field',)

    def __init__(self, field: str) -> None:
        self.field = field

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type[Any]) -> _T: ...

    def __get__(self, instance: object | None, owner: type[Any]) -> _T | Self:
        if instance is None:
            return self
        options: VerifyOptions = getattr(instance, 'options')  # noqa: B009
        return cast('_T', getattr(options, self.field))

    def __set__(self, instance: object, value: object) -> None:
        # A data descriptor, so that an assignment fails loudly instead of
        # shadowing the option that verification does not read.
        raise AttributeError(
            f'{self.field!r} is an option: pass it to the constructor '
            '(the options are resolved once, in `__init__`)',
        )
