"""One profile, in its own process: ``python -m benchmarks.worker``.

Sets up Django with the profile's settings, a fresh SQLite file, migrates,
creates the one user, mints tokens with the profile's own library, checks
that every endpoint answers ``200`` with the right body, then measures.
Writes a JSON result (``--out``), read by :mod:`benchmarks.runner`.
"""

import argparse
import asyncio
import cProfile
import dataclasses
import json
import os
import pstats
import shutil
import sys
import tempfile
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any, Final

from benchmarks import cpu
from benchmarks.apps.spec import AppSpec, floor_path, me_path
from benchmarks.harness import (
    Client,
    Plan,
    Request,
    make_client,
    queries_per_request,
    time_paired,
)
from benchmarks.profiles import (
    PASSWORD,
    USERNAME,
    Endpoint,
    Mode,
    Profile,
    get_profile,
)

#: A smoke run: every check, a fraction of the time.
QUICK: Final = Plan(
    warmup=20,
    warmup_seconds=0.05,
    repeats=3,
    repeat_seconds=0.03,
    min_number=5,
    query_sample=5,
)


def setup(profile: Profile, database: str) -> Any:
    """Configure Django for *profile* on *database*; return the user."""
    os.environ['DJANGO_SETTINGS_MODULE'] = profile.settings_module
    os.environ['BENCH_DB'] = database
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command('migrate', verbosity=0, interactive=False)
    return User.objects.create_user(USERNAME, password=PASSWORD)


def app_spec() -> AppSpec:
    """The ``BENCH`` spec of the profile's urlconf."""
    from django.conf import settings

    spec: AppSpec = import_module(settings.ROOT_URLCONF).BENCH
    return spec


def _me_check(content: bytes) -> bool:
    return bool(json.loads(content) == {'username': USERNAME})


def _pinned(
    client: Client,
    semantic: Callable[[bytes], bool],
    what: str,
) -> bytes:
    """Check the first response for real; return its body."""
    status, content = client.fetch()
    if status != 200 or not semantic(content):
        raise RuntimeError(f'{what}: HTTP {status} {content[:300]!r}')
    return content


class _Measure:
    """Measures the endpoints of one profile process."""

    def __init__(self, profile: Profile, plan: Plan, user: Any) -> None:
        self.profile = profile
        self.plan = plan
        self.spec = app_spec()
        self.tokens = self.spec.mint(user)
        self.auth = {'Authorization': f'Bearer {self.tokens.access}'}
        #: The one event loop of every async request of this process.
        self.loop = asyncio.new_event_loop()

    def me_client(self, mode: Mode, path: str) -> Client:
        """A client of a ``{"username": ...}`` endpoint, checked."""
        request = Request('GET', path, self.auth)
        probe = make_client(mode, request, _me_check, self.loop)
        expected = _pinned(probe, _me_check, f'{self.profile.name} {path}')
        # Then a bytes comparison per response: cheap, and just as strict.
        return make_client(mode, request, expected.__eq__, self.loop)

    def token_client(self, mode: Mode, endpoint: Endpoint) -> Client:
        """A client of the obtain or refresh endpoint, checked."""
        tokens = self.spec.tokens
        if tokens is None:
            raise RuntimeError(f'{self.profile.name} has no token endpoints')
        if endpoint == 'obtain':
            path = tokens.obtain[mode]
            payload = {'username': USERNAME, 'password': PASSWORD}
        else:
            path = tokens.refresh[mode]
            payload = {tokens.refresh_field: self.tokens.refresh}
        request = Request(
            'POST',
            path,
            {'Content-Type': 'application/json'},
            json.dumps(payload).encode(),
        )
        field = tokens.access_field

        def semantic(content: bytes) -> bool:
            return isinstance(json.loads(content).get(field), str)

        marker = f'"{field}"'.encode()

        def has_token(content: bytes) -> bool:
            return marker in content

        client = make_client(mode, request, has_token, self.loop)
        _pinned(client, semantic, f'{self.profile.name} {path}')
        return client

    def row(self, endpoint: Endpoint, mode: Mode) -> dict[str, Any]:
        """Measure one endpoint in one mode, with the floor interleaved."""
        floor = self.me_client(mode, floor_path(mode))
        if endpoint == 'me':
            target = self.me_client(mode, me_path(mode))
        else:
            target = self.token_client(mode, endpoint)
        timing = time_paired(target, floor, self.plan)
        if timing.failures:
            raise RuntimeError(
                f'{self.profile.name} {endpoint} {mode}: '
                f'{timing.failures} responses were not 200 or not as expected',
            )
        queries = queries_per_request(target, self.plan.query_sample)
        return {
            'endpoint': endpoint,
            'mode': mode,
            'median_us': timing.median_us,
            'min_us': min(timing.samples_us),
            'max_us': max(timing.samples_us),
            'samples_us': timing.samples_us,
            'local_floor_us': timing.floor_median_us,
            'local_ratio': timing.local_ratio,
            'queries': queries,
            'failures': timing.failures,
            'number': timing.number,
        }

    def rows(self) -> list[dict[str, Any]]:
        """Measure every endpoint of the profile."""
        rows = [self.row('me', mode) for mode in self.profile.modes]
        if self.profile.token_endpoints and self.spec.tokens is not None:
            for endpoint in ('obtain', 'refresh'):
                rows.extend(
                    self.row(endpoint, mode)
                    for mode in self.profile.modes
                    if mode in self.spec.tokens.obtain
                )
        return rows


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = (
        'django',
        'django-modern-rest',
        'dmr-jwt',
        'pyjwt',
        'pydantic',
        'djangorestframework',
        'djangorestframework-simplejwt',
        'django-ninja',
        'django-ninja-extra',
        'django-ninja-jwt',
    )
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = 'not installed'
    return found


def _cprofile(measure: _Measure, mode: Mode, number: int) -> None:
    client = measure.me_client(mode, me_path(mode))
    client.batch(measure.plan.warmup)
    profiler = cProfile.Profile()
    profiler.enable()
    client.batch(number)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    print(f'## cProfile: {measure.profile.name} {mode}, {number} requests')
    stats.sort_stats('tottime').print_stats(25)
    stats.sort_stats('cumulative').print_stats(40)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='python -m benchmarks.worker')
    parser.add_argument('--profile', required=True)
    parser.add_argument('--out', type=Path)
    parser.add_argument('--quick', action='store_true')
    parser.add_argument(
        '--prepare',
        metavar='DB',
        help='only migrate DB, create the user, print tokens (HTTP mode)',
    )
    parser.add_argument(
        '--cprofile',
        choices=('sync', 'async'),
        help='print a cProfile of the protected endpoint instead',
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one profile."""
    args = _parse(argv)
    cpu.pin_to_one()
    profile = get_profile(args.profile)
    plan = QUICK if args.quick else Plan()
    if args.prepare:
        user = setup(profile, args.prepare)
        print(json.dumps({'access': app_spec().mint(user).access}))
        return 0
    workdir = tempfile.mkdtemp(prefix='dmr-jwt-bench-')
    try:
        user = setup(profile, str(Path(workdir) / 'db.sqlite3'))
        measure = _Measure(profile, plan, user)
        try:
            if args.cprofile:
                _cprofile(measure, args.cprofile, 3000)
                return 0
            result = {
                'profile': profile.name,
                'rows': measure.rows(),
                'versions': _versions(),
                'plan': dataclasses.asdict(plan),
            }
        finally:
            measure.loop.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
