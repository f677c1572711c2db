"""How long a revoked family is kept: the routed controllers decide."""

import datetime as dt
import sys
import types
from types import SimpleNamespace

import pytest
from django.urls import path
from dmr.plugins.pydantic import PydanticSerializer

from dmr_jwt.blocklist._sessions import family_expiry, routed_token_lifetime
from tests.app import blocklist_views

_LIFETIME = dt.timedelta(days=400)


class _LongLived(blocklist_views._RefreshSync[PydanticSerializer]):
    jwt_refresh_expiration = _LIFETIME


@pytest.fixture
def host_urlconf(monkeypatch: pytest.MonkeyPatch) -> str:
    """A URLconf that only a middleware would pick (``request.urlconf``)."""
    urls = types.ModuleType('tests._host_urls')
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path('long-lived/', _LongLived.as_view()),
    ]
    monkeypatch.setitem(sys.modules, urls.__name__, urls)
    return urls.__name__


def test_a_request_urlconf_is_the_one_read(host_urlconf: str) -> None:
    assert routed_token_lifetime() < _LIFETIME
    assert routed_token_lifetime(host_urlconf) == _LIFETIME

    now = dt.datetime.now(dt.UTC)
    routed = SimpleNamespace(request=SimpleNamespace(urlconf=host_urlconf))
    default = SimpleNamespace(request=SimpleNamespace())

    assert family_expiry(routed) >= now + _LIFETIME
    assert family_expiry(default) < now + _LIFETIME


def test_the_revoking_controller_counts_too() -> None:
    controller = _LongLived()
    controller.request = SimpleNamespace()  # type: ignore[assignment]

    assert family_expiry(controller) >= dt.datetime.now(dt.UTC) + _LIFETIME
