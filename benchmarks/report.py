"""Turn the results of one run into Markdown, a PNG chart and verdicts.

The headline is the ratio of each profile to the ``dmr-noauth`` floor
measured in the same run: the machine is noisy, absolute times are not
comparable between runs, ratios mostly are.
"""

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from benchmarks.profiles import FLOOR, MODES, PROFILES, Mode

#: Targets of the performance issue.
DEFAULT_VS_BUILTIN: Final = 0.8
TUNED_VS_FLOOR: Final = 1.15
WARM_DECODE_US: Final = 5.0
COLD_VS_PYJWT: Final = 1.1
HTTP_TUNED_VS_FLOOR: Final = 0.85

PYJWT_DECODE: Final = 'PyJWT `jwt.decode`'
PYJWT_ENCODE: Final = 'PyJWT `jwt.encode`'
COLD_DECODE: Final = 'dmr-jwt auth `decode_token`, no token cache (cold)'
WARM_DECODE: Final = 'dmr-jwt auth `decode_token`, token cache warm (hit)'

NOTES: Final = (
    "In-process: each request is built once and handed to Django's "
    '`WSGIHandler` (sync rows) or `ASGIHandler` (async rows, one event '
    'loop), as a server would; no network, no test client. Every response '
    'is checked: status 200 and the exact expected body.',
    'Each profile runs in its own process, with its own settings module, '
    'a fresh SQLite file (persistent connection), `DEBUG = False`, no '
    'middleware and a LocMem cache, pinned to one CPU (steadier, and faster '
    'for the thread hops of ASGI). Medians of {repeats} repeats after a '
    'warm-up; spread is min-max of the repeats.',
    '"x floor" divides by the `dmr-noauth` profile of this run; "x local" '
    'divides by the same no-auth controller measured interleaved, repeat by '
    "repeat, in the profile's own process: immune to slow drifts, a "
    'cross-check. The interleaved floor shares the CPU caches with the '
    "profile's endpoint, so it is often a little slower than the floor "
    'profile, and "x local" a little lower than "x floor".',
    'Under ASGI, Django runs every piece of sync work of a request (ORM '
    'queries, `response.close()`, signals) in a fresh thread, with a fresh '
    'database connection whatever `CONN_MAX_AGE` says: async rows are '
    'dominated by that, and an async request that makes no query saves most '
    'of it.',
    "simplejwt's and ninja-jwt's blacklist apps never check access tokens "
    '(only refresh tokens, at their refresh/blacklist endpoints), so they '
    'have no blocklist profile: compare like with like '
    '(`dmr-jwt-blocklist` vs `dmr-builtin-blocklist`).',
    "DRF is sync only: no async row. ninja-jwt's `AsyncJWTAuth` runs the "
    'token decoding and the user query through `sync_to_async`.',
    '`MD5PasswordHasher` in every profile: the obtain endpoints compare the '
    'libraries, not the cost of a slow password hash.',
    "Refresh: dmr-jwt and dmr's built-in controllers return a new token "
    'pair (two encodes); simplejwt and ninja-jwt (default '
    '`ROTATE_REFRESH_TOKENS = False`) return a new access token only, and '
    "ninja-jwt's refresh does not look the user up.",
    "The stateless profile's tokens carry `extras.username` (the documented "
    'way to have a username without the database).',
    'dmr controllers use `PydanticSerializer`; DRF is set to `JSONRenderer` '
    'and `JSONParser` only; ninja routes declare a response schema.',
)


@dataclasses.dataclass(frozen=True, slots=True)
class RunResults:
    """Everything one run measured."""

    #: Worker results by profile name; failed profiles hold ``error``.
    profiles: dict[str, dict[str, Any]]
    micro: list[dict[str, Any]] | None
    micro_error: str | None
    http: list[dict[str, Any]] | None
    meta: dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """One target: what, the measured figure, and whether it is met."""

    target: str
    measured: str
    passed: bool | None


# Lookups:


def _row(
    run: RunResults,
    profile: str,
    endpoint: str,
    mode: Mode,
) -> dict[str, Any] | None:
    rows: list[dict[str, Any]] = run.profiles.get(profile, {}).get('rows', [])
    for row in rows:
        if row['endpoint'] == endpoint and row['mode'] == mode:
            return row
    return None


def floor_ratio(
    run: RunResults,
    profile: str,
    endpoint: str,
    mode: Mode,
) -> float | None:
    """Median time of *profile* over the floor's, same run, same mode."""
    row = _row(run, profile, endpoint, mode)
    floor = _row(run, FLOOR, 'me', mode)
    if row is None or floor is None:
        return None
    return float(row['median_us'] / floor['median_us'])


def _micro(run: RunResults, name: str) -> dict[str, Any] | None:
    for row in run.micro or ():
        if row['name'] == name and 'median_us' in row:
            return row
    return None


# Verdicts:


def verdicts(run: RunResults) -> list[Verdict]:
    """The targets of the performance issue, with the measured figures."""
    return [
        _default_vs_builtin(run),
        _tuned_vs_floor(run),
        _warm_decode(run),
        _cold_decode(run),
        _http_tuned(run),
    ]


def _default_vs_builtin(run: RunResults) -> Verdict:
    target = (
        f'default `JWTSyncAuth()` ≤ {DEFAULT_VS_BUILTIN}x '
        "the time of dmr's built-in JWT auth (sync)"
    )
    ours = _row(run, 'dmr-jwt', 'me', 'sync')
    theirs = _row(run, 'dmr-builtin', 'me', 'sync')
    if ours is None or theirs is None:
        return Verdict(target, 'not measured', None)
    ratio = ours['median_us'] / theirs['median_us']
    local = ours['local_ratio'] / theirs['local_ratio']
    return Verdict(
        target,
        f'{ratio:.2f}x ({ours["median_us"]:.0f} vs '
        f'{theirs["median_us"]:.0f} µs; {local:.2f}x by local floors)',
        ratio <= DEFAULT_VS_BUILTIN,
    )


def _tuned_vs_floor(run: RunResults) -> Verdict:
    target = f'tuned ≤ {TUNED_VS_FLOOR}x the no-auth floor, 0 queries (sync)'
    row = _row(run, 'dmr-jwt-tuned', 'me', 'sync')
    ratio = floor_ratio(run, 'dmr-jwt-tuned', 'me', 'sync')
    if row is None or ratio is None:
        return Verdict(target, 'not measured', None)
    return Verdict(
        target,
        f'{ratio:.2f}x ({row["local_ratio"]:.2f}x local), '
        f'{_queries(row["queries"])} queries',
        ratio <= TUNED_VS_FLOOR and row['queries'] == 0,
    )


def _warm_decode(run: RunResults) -> Verdict:
    target = f'decode with the token cache warm ≤ {WARM_DECODE_US:g} µs'
    row = _micro(run, WARM_DECODE)
    if row is None:
        return Verdict(target, 'not measured', None)
    return Verdict(
        target,
        f'{row["median_us"]:.2f} µs',
        row['median_us'] <= WARM_DECODE_US,
    )


def _cold_decode(run: RunResults) -> Verdict:
    target = f'cold decode (auth, no cache) ≤ {COLD_VS_PYJWT}x PyJWT decode'
    ours = _micro(run, COLD_DECODE)
    pyjwt = _micro(run, PYJWT_DECODE)
    if ours is None or pyjwt is None:
        return Verdict(target, 'not measured', None)
    ratio = ours['median_us'] / pyjwt['median_us']
    return Verdict(
        target,
        f'{ratio:.2f}x ({ours["median_us"]:.1f} vs '
        f'{pyjwt["median_us"]:.1f} µs)',
        ratio <= COLD_VS_PYJWT,
    )


def _http_tuned(run: RunResults) -> Verdict:
    target = (
        f'HTTP (gunicorn, 1 worker) tuned ≥ {HTTP_TUNED_VS_FLOOR}x '
        "the floor's requests/s"
    )
    rows = {
        (row['profile'], row['server']): row
        for row in run.http or ()
        if 'rps' in row
    }
    ours = rows.get(('dmr-jwt-tuned', 'gunicorn'))
    floor = rows.get((FLOOR, 'gunicorn'))
    if ours is None or floor is None:
        return Verdict(target, 'not run (`make bench HTTP=1`)', None)
    ratio = ours['rps'] / floor['rps']
    return Verdict(
        target,
        f'{ratio:.2f}x ({ours["rps"]:.0f} vs {floor["rps"]:.0f} req/s; '
        f'{ours["local_ratio"]:.2f}x local)',
        ratio >= HTTP_TUNED_VS_FLOOR,
    )


# Markdown:


def _queries(count: float) -> str:
    return f'{count:.0f}' if count == int(count) else f'{count:.2f}'


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    header = list(header)
    lines = [
        '| ' + ' | '.join(header) + ' |',
        '|' + '|'.join('---' for _ in header) + '|',
    ]
    lines.extend('| ' + ' | '.join(row) + ' |' for row in rows)
    return lines


def _timing(row: dict[str, Any]) -> str:
    return f'{row["median_us"]:.0f} ({row["min_us"]:.0f}-{row["max_us"]:.0f})'


def _mode_cells(run: RunResults, profile: str, mode: Mode) -> list[str]:
    result = run.profiles.get(profile, {})
    if 'error' in result:
        return ['error', '', '', '']
    row = _row(run, profile, 'me', mode)
    if row is None:
        return [_missing(profile), '', '', '']
    ratio = floor_ratio(run, profile, 'me', mode)
    return [
        f'**{ratio:.2f}x**' if ratio is not None else '?',
        _timing(row),
        f'{row["local_ratio"]:.2f}x',
        _queries(row['queries']),
    ]


def endpoint_table(run: RunResults) -> list[str]:
    """The headline table: every profile, sync and async."""
    header = ['profile', 'what']
    for mode in MODES:
        header += [
            f'{mode} x floor',
            f'{mode} µs (min-max)',
            'x local',
            'queries',
        ]
    rows = []
    for profile in PROFILES:
        if profile.name not in run.profiles:
            continue
        cells = [f'`{profile.name}`', profile.label]
        for mode in MODES:
            cells += _mode_cells(run, profile.name, mode)
        rows.append(cells)
    return _table(header, rows)


def token_table(run: RunResults) -> list[str]:
    """Obtain and refresh endpoints of the libraries that have them."""
    rows = []
    for endpoint in ('obtain', 'refresh'):
        for mode in MODES:
            reference = _row(run, 'dmr-jwt', endpoint, mode)
            for profile in PROFILES:
                row = _row(run, profile.name, endpoint, mode)
                if row is None:
                    continue
                versus = (
                    f'{row["median_us"] / reference["median_us"]:.2f}x'
                    if reference is not None
                    else ''
                )
                ratio = floor_ratio(run, profile.name, endpoint, mode)
                rows.append(
                    [
                        endpoint,
                        mode,
                        f'`{profile.name}`',
                        _timing(row),
                        f'{ratio:.2f}x' if ratio is not None else '?',
                        versus,
                        _queries(row['queries']),
                    ]
                )
    return _table(
        [
            'endpoint',
            'mode',
            'library',
            'µs (min-max)',
            'x GET floor',
            'x dmr-jwt',
            'queries',
        ],
        rows,
    )


def micro_table(run: RunResults) -> list[str]:
    """Token decode and encode, per call."""
    if run.micro is None:
        return [f'Not measured: {run.micro_error}']
    references = {
        'decode': _micro(run, PYJWT_DECODE),
        'encode': _micro(run, PYJWT_ENCODE),
    }
    rows = []
    for row in run.micro:
        if 'error' in row:
            rows.append([row['group'], row['name'], row['error'], ''])
            continue
        reference = references.get(row['group'])
        versus = (
            f'{row["median_us"] / reference["median_us"]:.2f}x'
            if reference is not None
            else ''
        )
        rows.append(
            [
                row['group'],
                row['name'],
                f'{row["median_us"]:.2f} ({row["min_us"]:.2f}-'
                f'{row["max_us"]:.2f})',
                versus,
            ]
        )
    return _table(['', 'case', 'µs per call (min-max)', 'x PyJWT'], rows)


def http_table(run: RunResults) -> list[str]:
    """Requests per second through real servers on 127.0.0.1."""
    floors = {
        row['server']: row['rps']
        for row in run.http or ()
        if row['profile'] == FLOOR and 'rps' in row
    }
    rows = []
    for row in run.http or ():
        if 'error' in row:
            rows.append([f'`{row["profile"]}`', row['server'], row['error']])
            continue
        floor = floors.get(row['server'])
        ratio = f'{row["rps"] / floor:.2f}x' if floor else '?'
        rows.append(
            [
                f'`{row["profile"]}`',
                row['server'],
                f'{row["rps"]:.0f}',
                ratio,
                f'{row["local_ratio"]:.2f}x',
                str(row['requests']),
            ]
        )
    return _table(
        ['profile', 'server', 'req/s', 'x floor', 'x local', 'requests'],
        rows,
    )


def _status(passed: bool | None) -> str:
    if passed is None:
        return '—'
    return '**PASS**' if passed else '**FAIL**'


def markdown(run: RunResults) -> str:
    """The whole report."""
    meta = run.meta
    lines = [
        '# dmr-jwt benchmarks',
        '',
        f'Run {meta["date"]} on {meta["machine"]}; Python {meta["python"]}; '
        f'load average before the run {meta["load"]}; '
        f'the run took {meta["duration"]}.',
        '',
        'Versions: '
        + ', '.join(f'{name} {ver}' for name, ver in meta['versions'].items())
        + '.',
        '',
        '## Targets',
        '',
        *_table(
            ['target', 'measured', 'result'],
            (
                [verdict.target, verdict.measured, _status(verdict.passed)]
                for verdict in verdicts(run)
            ),
        ),
        '',
        '## Protected endpoint: `GET` → `{"username": ...}`',
        '',
        'Lower is better; **x floor** (the headline) is the time relative to',
        'the `dmr-noauth` profile of this run, in the same mode.',
        '',
        *endpoint_table(run),
        '',
        '## Obtain and refresh endpoints',
        '',
        *token_table(run),
        '',
        '## Tokens: decode and encode',
        '',
        *micro_table(run),
        '',
    ]
    if run.http is not None:
        lines += [
            '## HTTP: gunicorn (sync, 1 worker) and uvicorn (async)',
            '',
            'Requests per second, higher is better: **x floor** is the',
            "req/s over the `dmr-noauth` servers' of this run, x local over",
            'the floor endpoint of the same server, in interleaved windows.',
            "One keep-alive client on 127.0.0.1 (gunicorn's sync worker",
            'closes every connection: that is part of its figure); client',
            'and server pinned to two different CPUs.',
            '',
            *http_table(run),
            '',
        ]
    errors = [
        f'- `{name}`: {result["error"]}'
        for name, result in run.profiles.items()
        if 'error' in result
    ]
    if errors:
        lines += ['## Errors', '', *errors, '']
    lines += ['## Notes', '']
    lines += [
        '- ' + note.format(repeats=meta['plan']['repeats']) for note in NOTES
    ]
    return '\n'.join(lines) + '\n'


# The chart:


def chart(run: RunResults, path: Path) -> None:
    """Horizontal bars: each profile's time over the floor, sync and async."""
    import matplotlib as mpl

    mpl.use('Agg')
    import matplotlib.pyplot as plt

    names = [
        profile.name
        for profile in PROFILES
        if profile.name in run.profiles and profile.name != FLOOR
    ]
    figure, axes = plt.subplots(
        1,
        len(MODES),
        figsize=(13, 0.55 * len(names) + 2),
        sharey=True,
    )
    for axis, mode in zip(axes, MODES, strict=True):
        _bars(axis, run, names, mode)
    axes[0].set_yticks(range(len(names)), names)
    axes[0].invert_yaxis()
    figure.suptitle(
        'Time per request relative to the no-auth floor (same run; '
        f'lower is better) — {run.meta["date"]}',
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _bars(axis: Any, run: RunResults, names: list[str], mode: Mode) -> None:
    ratios = [floor_ratio(run, name, 'me', mode) for name in names]
    colors = [_color(name) for name in names]
    values = [ratio or 0.0 for ratio in ratios]
    axis.barh(range(len(names)), values, color=colors)
    axis.axvline(1.0, color='black', linewidth=1)
    top = max(values, default=1.0)
    for index, (name, ratio) in enumerate(zip(names, ratios, strict=True)):
        label = f'{ratio:.2f}x' if ratio is not None else _missing(name)
        axis.text(
            (ratio or 0.0) + top * 0.01,
            index,
            label,
            va='center',
            fontsize=9,
        )
    floor = _row(run, FLOOR, 'me', mode)
    floor_us = f'{floor["median_us"]:.0f} µs' if floor else '?'
    server = 'WSGIHandler' if mode == 'sync' else 'ASGIHandler'
    axis.set_title(f'{mode} ({server}); floor = 1 = {floor_us}')
    if mode == 'sync':
        axis.axvline(
            TUNED_VS_FLOOR,
            color='#2e7d32',
            linestyle='--',
            linewidth=1,
            label=f'tuned target {TUNED_VS_FLOOR}x',
        )
        axis.legend(loc='lower right')
    axis.set_xlim(0, top * 1.18 + 0.1)
    axis.set_xlabel('x floor')
    axis.grid(axis='x', alpha=0.3)


def _missing(name: str) -> str:
    profile = next(item for item in PROFILES if item.name == name)
    return f'n/a ({profile.missing_async or "not measured"})'


_COLORS: Final[dict[str, str]] = {
    'dmr-jwt': '#2e7d32',
    'dmr-builtin': '#1565c0',
    'drf': '#ef6c00',
    'ninja': '#6a1b9a',
}


def _color(name: str) -> str:
    for prefix, color in _COLORS.items():
        if name.startswith(prefix):
            return color
    return '#757575'
