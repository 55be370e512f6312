"""How long the OpenAPI document takes: built, and served once built.

    .venv/bin/python bench/openapi.py [--requests 50] [--builds 5]

In a fresh process, times the first ``api.get_openapi_schema()`` (the one build a
process makes), a few more builds without the cache (what every request for
``/api/v1/openapi.json`` used to cost), then the first request for the document and
``--requests`` more through Django's test client, which serve the cached document.
Prints figures in ms; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

PATH_PREFIX = "/api/v1/"
URL = "/api/v1/openapi.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="Timed cached requests (50).")
    parser.add_argument("--builds", type=int, default=5, help="Timed uncached builds (5).")
    return parser.parse_args()


def ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.1f}   p95 {p95:7.1f}   max {ordered[-1]:7.1f}"


def main() -> None:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="casework-bench-openapi-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="casework.settings",
        CASEWORK_DATA_DIR=data_dir,
        CASEWORK_DATABASE_URL=f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}",
        CASEWORK_TESTING="1",
        CASEWORK_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from ninja.openapi import get_schema

    from casework.api import api

    setup_test_environment()  # the test client's host is allowed

    first_build, schema = ms(lambda: api.get_openapi_schema(path_prefix=PATH_PREFIX))
    cached_call, again = ms(lambda: api.get_openapi_schema(path_prefix=PATH_PREFIX))
    if again is not schema:
        raise SystemExit("get_openapi_schema() built the document again")
    builds = [
        ms(lambda: get_schema(api=api, path_prefix=PATH_PREFIX))[0] for _ in range(args.builds)
    ]

    client = Client()
    first_request, response = ms(lambda: client.get(URL))
    if response.status_code != 200:
        raise SystemExit(f"{URL} answered {response.status_code}")
    size = len(response.content)
    requests = [ms(lambda: client.get(URL))[0] for _ in range(args.requests)]

    print(f"OpenAPI document: {len(schema['paths'])} paths, {size / 1024:.0f} KB")
    print(f"first build (once per process)      {first_build:7.1f} ms")
    print(f"get_openapi_schema() again (cached) {cached_call:7.3f} ms")
    print(f"uncached build x{args.builds:<3}  {summary(builds)} ms")
    print(f"first request (URLconf, middleware) {first_request:7.1f} ms")
    print(f"cached request x{args.requests:<3}  {summary(requests)} ms")


if __name__ == "__main__":
    main()
