import datetime as dt

import pytest
from dmr.plugins.pydantic import PydanticSerializer

from dmr_jwt._internal.routes import (
    controller_token_lifetime,
    routed_token_lifetime,
)
from tests.app import views
from tests.app.jwks_views import PydanticRingSync


def test_a_token_controller_lives_as_long_as_its_longest_token() -> None:
    assert controller_token_lifetime(views.PydanticObtainSync) == (
        dt.timedelta(days=10)
    )


@pytest.mark.parametrize('view_class', [PydanticRingSync, PydanticSerializer])
def test_other_classes_issue_no_tokens(view_class: type[object]) -> None:
    assert controller_token_lifetime(view_class) is None


@pytest.mark.parametrize(
    ('urlconf', 'lifetime'),
    [
        ('tests.app.urls', dt.timedelta(days=10)),
        # Only a JWKS endpoint: nothing issues tokens.
        ('tests.app.jwks_urls', dt.timedelta(0)),
    ],
)
def test_routed_token_lifetime(urlconf: str, lifetime: dt.timedelta) -> None:
    assert routed_token_lifetime(urlconf) == lifetime
