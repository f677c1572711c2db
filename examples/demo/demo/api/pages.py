"""
The demo's one HTML page: ``GET /``, a login page for the cookie API.

The page (``demo_api/login.html``) is plain HTML with inline JavaScript,
no dependencies and no build step. It logs in with the cookie controllers
under ``/api/cookie/``, shows who is signed in, refreshes and logs out.
The tokens live in ``HttpOnly`` cookies: the script never sees them. What
it does read is Django's CSRF cookie, which this view makes sure is set,
and sends it back as the CSRF header of every unsafe request.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import HttpHeaders
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe


def _csrf_header_name() -> str:
    """``CSRF_HEADER_NAME`` as a client sends it (``X-Csrftoken``)."""
    name = HttpHeaders.parse_header_name(settings.CSRF_HEADER_NAME)
    return settings.CSRF_HEADER_NAME if name is None else name


@require_safe
@ensure_csrf_cookie
def login_page(request: HttpRequest) -> HttpResponse:
    """The login page, with the URLs and CSRF names its script needs."""
    config = {
        'urls': {
            name: reverse(f'api:cookie-{name}')
            for name in ('login', 'refresh', 'logout', 'me')
        },
        'csrfCookie': settings.CSRF_COOKIE_NAME,
        'csrfHeader': _csrf_header_name(),
    }
    return render(request, 'demo_api/login.html', {'config': config})
