"""URLs of the fault tests: every revocation endpoint of the test app.

``/blocklist/...`` (``me``, ``obtain``, the non-rotating ``refresh``),
``/logout/...``, ``/everywhere/...`` and ``/rotation/...``: the URL
modules of :mod:`tests.app` each mount the blocklist URLs first and their
own last, so the last entry of each is taken.
"""

from tests.app import (
    blocklist_urls,
    everywhere_urls,
    logout_urls,
    rotation_urls,
)

urlpatterns = [
    *blocklist_urls.urlpatterns,
    logout_urls.urlpatterns[-1],
    everywhere_urls.urlpatterns[-1],
    rotation_urls.urlpatterns[-1],
]
