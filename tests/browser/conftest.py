"""
Fixtures of the browser tests: the demo over HTTP and headless Chromium.

``demo_server`` runs the demo project with ``manage.py runserver`` (a fresh
SQLite file, the demo user created) for the whole module; ``chrome`` is a
headless Chromium with a fresh profile for each test; ``other_origin``
serves a page from another port. Without Debian's ``chromium`` and
``chromium-driver`` the tests skip with the reason; in CI (``CI`` set),
which installs both (``.ci/run``), they fail instead.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.browser.harness import (
    DemoServer,
    OtherOrigin,
    chromium_paths,
    launch_chromium,
)

__all__ = ('chrome', 'demo_server', 'other_origin')

_SKIP_CHROMIUM = (
    'Chromium/chromedriver not installed: '
    'apt-get install chromium chromium-driver'
)


@pytest.fixture(scope='session')
def chromium() -> tuple[str, str]:
    """``(chromium, chromedriver)``; skips (fails in CI) when missing."""
    paths = chromium_paths()
    if paths is None:
        # CI installs both: a skip there would hide a broken `.ci/run`.
        if os.environ.get('CI'):
            pytest.fail(f'CI must run the browser tests: {_SKIP_CHROMIUM}')
        pytest.skip(_SKIP_CHROMIUM)
    return paths


@pytest.fixture(scope='module')
def demo_server(
    chromium: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DemoServer]:
    """The demo on a free port, as ``make demo`` runs it."""
    server = DemoServer(tmp_path_factory.mktemp('demo'))
    try:
        server.prepare()
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def chrome(chromium: tuple[str, str], tmp_path: Path) -> Iterator[WebDriver]:
    """A headless Chromium of this test only, with a fresh profile."""
    browser, driver = chromium
    chrome = launch_chromium(browser, driver, tmp_path / 'profile')
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
def other_origin() -> Iterator[OtherOrigin]:
    """A page server on another port of ``127.0.0.1``."""
    with OtherOrigin().running() as server:
        yield server
