"""The user cache's watchers: forgetting users without costing queries.

The user cache through real HTTP is tested in
``tests/integration/test_performance_modes.py``, with the cache down in
``tests/boundary/test_user_cache.py``.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dmr_jwt._internal.users import SubjectLookup


@pytest.mark.django_db
def test_user_cache_never_loads_deferred_fields(user: User) -> None:
    # Watching `username` must not read it on instances that deferred it.
    SubjectLookup('username', cache_timeout=60)

    with CaptureQueriesContext(connection) as queries:
        loaded = list(User.objects.only('id'))

    assert [row.pk for row in loaded] == [user.pk]
    assert len(queries) == 1
