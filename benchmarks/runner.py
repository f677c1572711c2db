"""``make bench``: run every profile in its own process, then report.

.. code:: text

    python -m benchmarks            # the whole suite, writes results/
    python -m benchmarks --http     # plus gunicorn/uvicorn on 127.0.0.1
    python -m benchmarks --quick --only dmr-jwt   # a smoke run, no files
    python -m benchmarks.worker --profile dmr-jwt --cprofile sync

Results go to ``benchmarks/results/latest.{md,png,json}``, only from a full
run (no ``--only``, no ``--quick``) without errors, so that they always
compare everything.
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final

from benchmarks import httpmode
from benchmarks.profiles import FLOOR, PROFILES, Profile
from benchmarks.report import RunResults, chart, markdown, verdicts

ROOT: Final = Path(__file__).resolve().parent.parent
RESULTS: Final = Path(__file__).resolve().parent / 'results'

#: No process of a run may take longer than this.
_TIMEOUT: Final = 600


def _log(message: str) -> None:
    print(f'[bench] {message}', file=sys.stderr, flush=True)


def _python(module: str, *args: str, out: Path) -> str | None:
    """Run ``python -m module``; return an error message, or ``None``."""
    try:
        completed = subprocess.run(
            [sys.executable, '-m', module, *args, '--out', str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f'timed out after {_TIMEOUT} s'
    if completed.returncode:
        lines = completed.stderr.strip().splitlines() or ['(no output)']
        return lines[-1]
    return None


def _run_profile(profile: Profile, tmp: Path, quick: bool) -> dict[str, Any]:
    out = tmp / f'{profile.name}.json'
    flags = ['--quick'] if quick else []
    error = _python(
        'benchmarks.worker',
        '--profile',
        profile.name,
        *flags,
        out=out,
    )
    if error is not None:
        return {'error': error}
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def _describe(result: dict[str, Any]) -> str:
    if 'error' in result:
        return f'ERROR {result["error"]}'
    return ', '.join(
        f'{row["endpoint"]} {row["mode"]} {row["median_us"]:.0f} µs '
        f'({row["local_ratio"]:.2f}x local, {row["queries"]:g} q)'
        for row in result['rows']
    )


def _cpu_model() -> str:
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def _versions(profiles: dict[str, dict[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for result in profiles.values():
        found.update(result.get('versions', {}))
    for name in ('matplotlib', 'gunicorn', 'uvicorn'):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = 'not installed'
    return found


def _plan(profiles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    for result in profiles.values():
        if 'plan' in result:
            plan: dict[str, Any] = result['plan']
            return plan
    return {'repeats': '?'}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m benchmarks',
        description='dmr-jwt against its peers, ratios to the no-auth floor.',
    )
    parser.add_argument(
        '--http',
        action='store_true',
        help='also run gunicorn and uvicorn on 127.0.0.1 (a few s each)',
    )
    parser.add_argument(
        '--quick',
        action='store_true',
        help='a smoke run: every check, few requests; writes no files',
    )
    parser.add_argument(
        '--only',
        action='append',
        metavar='PROFILE',
        choices=[profile.name for profile in PROFILES],
        help='run this profile (repeatable; the floor always runs)',
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print the Markdown report; write results/."""
    args = _parse(argv)
    started = time.monotonic()
    load = ' / '.join(f'{value:.2f}' for value in os.getloadavg())
    selected = [
        profile
        for profile in PROFILES
        if not args.only or profile.name in args.only or profile.name == FLOOR
    ]
    profiles: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix='dmr-jwt-bench-') as tmp:
        for profile in selected:
            _log(f'{profile.name} ...')
            profiles[profile.name] = _run_profile(
                profile,
                Path(tmp),
                args.quick,
            )
            _log(f'{profile.name}: {_describe(profiles[profile.name])}')
        _log('token micro-benchmarks ...')
        micro_out = Path(tmp) / 'micro.json'
        micro_error = _python(
            'benchmarks.micro',
            *(['--quick'] if args.quick else []),
            out=micro_out,
        )
        micro = (
            json.loads(micro_out.read_text())['micro']
            if micro_error is None
            else None
        )
    http = None
    if args.http:
        plan = httpmode.QUICK_HTTP if args.quick else httpmode.HttpPlan()
        http = []
        with httpmode.pinned_client():
            for profile in selected:
                _log(f'HTTP {profile.name} ...')
                http.extend(httpmode.run_profile(profile, plan, ROOT))
    duration = time.monotonic() - started
    run = RunResults(
        profiles=profiles,
        micro=micro,
        micro_error=micro_error,
        http=http,
        meta={
            'date': dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC'),
            'machine': (
                f'{platform.system()} {platform.machine()}, '
                f'{os.cpu_count()} CPUs ({_cpu_model()})'
            ),
            'python': platform.python_version(),
            'load': load,
            'duration': f'{duration // 60:.0f} min {duration % 60:.0f} s',
            'versions': _versions(profiles),
            'plan': _plan(profiles),
            'quick': args.quick,
        },
    )
    report = markdown(run)
    print(report)
    errors = [name for name, result in profiles.items() if 'error' in result]
    errors += [row['profile'] for row in http or () if 'error' in row]
    if micro_error:
        errors.append('micro')
    if errors:
        _log(f'errors in: {", ".join(errors)}; results/ left as it was')
    elif not args.quick and not args.only:
        _write(run, report)
    failed = [
        verdict.target for verdict in verdicts(run) if verdict.passed is False
    ]
    for target in failed:
        _log(f'target not met: {target}')
    return 1 if errors else 0


def _write(run: RunResults, report: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / 'latest.md').write_text(report)
    (RESULTS / 'latest.json').write_text(
        json.dumps(
            {
                'meta': run.meta,
                'profiles': run.profiles,
                'micro': run.micro,
                'http': run.http,
            },
            indent=1,
        )
        + '\n',
    )
    chart(run, RESULTS / 'latest.png')
    _log(f'wrote {RESULTS.relative_to(ROOT)}/latest.{{md,json,png}}')
