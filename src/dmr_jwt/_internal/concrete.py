"""Ready-to-use controllers: routed with ``as_view(serializer=...)``.

:class:`RoutedWithSerializer` gives a generic controller the ``as_view``
of django-modern-rest 0.16's ``concrete_views``: the serializer is passed
when the controller is routed, and the subclass that a project would
write by hand (``Controller[PydanticSerializer]``) is made then, once per
call. Nothing here knows the blocklist app; :mod:`dmr_jwt.concrete_views`
does.
"""

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from dmr.exceptions import EndpointMetadataError
from dmr.serializer import BaseSerializer
from typing_extensions import override

if TYPE_CHECKING:
    from django.http import HttpResponseBase
    from dmr import Controller

    _ControllerBase = Controller[Any]
else:
    _ControllerBase = object

__all__ = ('RoutedWithSerializer', 'with_serializer')

_ControllerT = TypeVar('_ControllerT', bound=type[Any])


def with_serializer(
    controller_cls: _ControllerT,
    serializer: type[BaseSerializer] | None,
) -> _ControllerT:
    """
    *controller_cls* with *serializer*: its subclass, or itself.

    ``None`` keeps the serializer that *controller_cls* already has
    (a class made by an earlier call).

    Raises:
        EndpointMetadataError: When *controller_cls* has no serializer
            and none was given, when it has one and another was given
            (they would contradict each other).

    """
    existing = getattr(controller_cls, 'serializer', None)
    if serializer is None:
        if existing is None:
            raise EndpointMetadataError(
                f'{controller_cls.__qualname__} needs a serializer, '
                'pass it as `as_view(serializer=...)`',
            )
        return controller_cls
    if existing is not None:
        raise EndpointMetadataError(
            f'{controller_cls.__qualname__} already has {existing!r} as its '
            'serializer, passing `serializer=` would contradict it',
        )
    namespace = {
        # Otherwise it would be `types`, where the class is made:
        '__module__': controller_cls.__module__,
        '__qualname__': controller_cls.__qualname__,
    }
    return types.new_class(  # type: ignore[return-value]
        controller_cls.__name__,
        (controller_cls[serializer],),
        exec_body=lambda body: body.update(namespace),
    )


class RoutedWithSerializer(_ControllerBase):
    """
    Mixin of a generic controller: ``as_view(serializer=...)`` routes it.

    The controller is ready to use otherwise (payloads, responses, hooks):
    the serializer is all that it needs.
    """

    @override
    @classmethod
    def as_view(
        cls,
        *,
        serializer: type[BaseSerializer] | None = None,
        **initkwargs: Any,
    ) -> Callable[..., 'HttpResponseBase']:
        """
        Route this controller with *serializer* filled in.

        *serializer* is required (``PydanticSerializer``, the msgspec one,
        or your own); *initkwargs* go to Django as usual.

        Raises:
            EndpointMetadataError: Without a serializer.

        """
        routed = with_serializer(cls, serializer)
        if routed is cls:
            return super().as_view(**initkwargs)
        return routed.as_view(**initkwargs)
