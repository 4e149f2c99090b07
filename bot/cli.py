"""`loyalty-bot serve | check | sandbox | demo`: the command line."""

from __future__ import annotations

import argparse
import logging
import multiprocessing.util
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # as bot.metrics, which cannot be imported before it is set

if TYPE_CHECKING:
    from bot.check import Finding
    from bot.services import Services
    from bot.web import WsgiApp

log = logging.getLogger("bot")


def _secrets(settings: Settings) -> tuple[str, ...]:
    values = (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
              settings.coupontools_api_key, settings.coupontools_api_secret, settings.loyalty_metrics_token)
    return tuple(value.get_secret_value() for value in values if value is not None)


def _embedded_sandbox(settings: Settings) -> Settings:
    """Sandbox mode: serve the local sandbox's demo data, started in this process and shared by every serving one."""
    from bot.sandbox import DEMO_API_KEY, DEMO_API_SECRET, SandboxServer

    sandbox = SandboxServer(api_key=DEMO_API_KEY, api_secret=DEMO_API_SECRET, port=0).start()
    log.warning("sandbox mode: serving the local sandbox's demo data at %s, not your loyalty programmes; every "
                "reply says so", sandbox.base_url)
    demo = load_settings(coupontools_api_key=DEMO_API_KEY, coupontools_api_secret=DEMO_API_SECRET)
    return settings.model_copy(update={
        "loyalty_sandbox": True,
        "coupontools_base_url": sandbox.base_url,
        "coupontools_api_key": demo.coupontools_api_key,
        "coupontools_api_secret": demo.coupontools_api_secret,
    })


def serve(args: argparse.Namespace) -> int:
    """Serve Slack over HTTP (or Socket Mode) until SIGTERM, in one process or in several sharing the port.

    Without loyalty API credentials it refuses to start, unless sandbox mode is asked for: a workspace must
    never be answered from demo data by accident.
    """
    overrides = {"port": args.port, "web_concurrency": args.processes}
    settings = load_settings(
        lambda s: s.needed_to_serve(socket_mode=args.socket_mode or s.socket_mode,
                                    sandbox=args.sandbox or s.loyalty_sandbox),
        **{name: value for name, value in overrides.items() if value},
    )
    setup_logging(settings.log_format, settings.log_level, _secrets(settings))
    socket_mode = args.socket_mode or settings.socket_mode
    with _shared_metrics(1 if socket_mode else settings.web_concurrency):
        return _serve(args, settings, socket_mode=socket_mode)


@contextmanager
def _shared_metrics(processes: int) -> Iterator[None]:
    """With several serving processes, each writes its metrics under one fresh directory that /metrics sums.

    Set before anything imports prometheus_client, which reads PROMETHEUS_MULTIPROC_DIR once, at import; an
    operator's own directory is kept.
    """
    if processes < 2 or os.environ.get(MULTIPROC_ENV):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="loyalty-bot-metrics-") as directory:
        os.environ[MULTIPROC_ENV] = directory
        try:
            yield
        finally:
            del os.environ[MULTIPROC_ENV]


def _serve(args: argparse.Namespace, settings: Settings, *, socket_mode: bool) -> int:
    if args.sandbox or settings.loyalty_sandbox:
        settings = _embedded_sandbox(settings)
    fatal = _start_checks(settings, socket_mode=socket_mode)
    if fatal is not None:
        print(f"loyalty-bot: not starting: {fatal.subject}: {fatal.text}", file=sys.stderr)
        return 1
    if socket_mode:
        if settings.web_concurrency > 1:
            log.warning("Socket Mode runs in one process: --processes / WEB_CONCURRENCY apply to HTTP serving")
        from bot.app import build_services, create_app

        services = build_services(settings)
        services.start_jobs(run=not args.no_worker)
        _serve_socket_mode(create_app(settings, services), settings)
        services.close()
        return 0
    return _serve_http(settings, jobs=not args.no_worker)


def _start_checks(settings: Settings, *, socket_mode: bool) -> Finding | None:
    """Log what `loyalty-bot check` would say; the first fatal finding, if any."""
    from bot.check import OK, run_checks

    findings = run_checks(settings, socket_mode=socket_mode)
    for finding in findings:
        log.log(logging.INFO if finding.status == OK else logging.WARNING, "check %s", finding.line)
    return next((finding for finding in findings if finding.fatal), None)


def check(_args: argparse.Namespace) -> int:
    """Print one line per check; 0 when nothing failed, 1 when something did, 2 when settings are wrong."""
    from bot.check import failed, run_checks

    try:
        settings = load_settings(lambda s: s.needed_to_serve(socket_mode=s.socket_mode, sandbox=s.loyalty_sandbox))
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"FAIL  settings: {line}")
        return 2
    setup_logging(settings.log_format, "WARNING", _secrets(settings))  # the report is the output, not the logs
    findings = run_checks(settings, socket_mode=settings.socket_mode)
    for finding in findings:
        print(finding.line)
    return 1 if failed(findings) else 0


def _serve_http(settings: Settings, *, jobs: bool) -> int:
    from bot.web import serve as serve_http

    log.info("loyalty-bot %s listening on port %s with %d serving process%s (POST /slack/events, GET /healthz)",
             __version__, settings.port, settings.web_concurrency, "" if settings.web_concurrency == 1 else "es")
    return serve_http(partial(_serving_process, settings, jobs), port=settings.port, processes=settings.web_concurrency,
                      log_level=settings.log_level)


def _serving_process(settings: Settings, jobs: bool) -> WsgiApp:
    """One serving process's app, built in that process: its own clients, database engine, worker pool and job
    engine (which takes background jobs too, unless `jobs` is false: `serve --no-worker`).

    When the process ends (after SIGTERM, once the server has answered what it accepted), the work already
    accepted finishes before the connections close, so no answer is lost.
    """
    from bot.app import build_services, build_wsgi

    setup_logging(settings.log_format, settings.log_level, _secrets(settings))  # granian's worker reset it
    try:
        services = build_services(settings)
        services.start_jobs(run=jobs)
        wsgi = build_wsgi(settings, services)  # Bolt calls auth.test here: Slack must answer
    except Exception:
        log.exception("serving process %d could not start", os.getpid())  # one line, secrets redacted
        raise SystemExit(1) from None  # the server then stops and exits 1
    multiprocessing.util.Finalize(None, _finish, args=(services,), exitpriority=10)
    log.info("serving process ready (pid %d)", os.getpid())
    return wsgi


def _finish(services: Services) -> None:
    log.info("serving process %d stopping: finishing accepted work", os.getpid())
    services.close()
    log.info("serving process %d stopped", os.getpid())


def _serve_socket_mode(app: object, settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.web import wait_for

    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())  # type: ignore[arg-type, union-attr]
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    handler.connect()
    log.info("loyalty-bot %s connected in Socket Mode", __version__)
    wait_for(stopping)
    handler.close()


def worker(_args: argparse.Namespace) -> int:
    """Run background jobs only (imports, pushes, upkeep), until SIGTERM: for installs that split web and jobs."""
    settings = load_settings(lambda _s: ("slack_bot_token", "coupontools_api_key", "coupontools_api_secret"))
    setup_logging(settings.log_format, settings.log_level, _secrets(settings))
    from bot.app import build_services
    from bot.web import wait_for

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    services = build_services(settings)
    services.start_jobs(run=True, role="worker")
    log.info("loyalty-bot %s worker running jobs (executor %s)", __version__,
             services.jobs.executor_id if services.jobs else "?")
    wait_for(stopping)
    log.info("worker stopping: the job on the wire finishes, the rest resumes on the next start")
    services.close()
    return 0


def sandbox(args: argparse.Namespace) -> int:
    """Serve the local Coupontools-compatible API until SIGTERM."""
    from bot.sandbox import DEMO_API_KEY, DEMO_API_SECRET
    from bot.sandbox import serve as serve_sandbox

    settings = load_settings()
    setup_logging(settings.log_format, settings.log_level)
    key, secret = DEMO_API_KEY, DEMO_API_SECRET
    if settings.has_coupontools_credentials:
        key = settings.coupontools_api_key.get_secret_value()  # type: ignore[union-attr]
        secret = settings.coupontools_api_secret.get_secret_value()  # type: ignore[union-attr]
    else:
        print(f"COUPONTOOLS_API_KEY/SECRET are not set: use key {key!r} and secret {secret!r}.")
    serve_sandbox(args.host, args.port, key, secret, state_file=args.state_file)
    return 0


def demo(args: argparse.Namespace) -> int:
    """The whole product on this machine, with a console that plays Slack (or a script of its commands)."""
    from localstack.demo import run_demo

    return run_demo(args.script)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loyalty-bot", description="Run Coupontools loyalty programmes from Slack.")
    parser.add_argument("--version", action="version", version=f"loyalty-bot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="serve Slack (HTTP on $PORT, or Socket Mode)")
    serve_parser.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve_parser.add_argument("--processes", type=_positive, metavar="N",
                              help="serving processes sharing the port (default: $WEB_CONCURRENCY or 1)")
    serve_parser.add_argument("--socket-mode", action="store_true", help="use Socket Mode (needs SLACK_APP_TOKEN)")
    serve_parser.add_argument("--sandbox", action="store_true",
                              help="serve the local sandbox's demo data, not your programmes (as LOYALTY_SANDBOX=1)")
    serve_parser.add_argument("--no-worker", action="store_true",
                              help="leave background jobs to `loyalty-bot worker` processes (only enqueue them here)")
    serve_parser.set_defaults(run=serve)

    worker_parser = commands.add_parser("worker", help="run background jobs only (imports, pushes, upkeep)")
    worker_parser.set_defaults(run=worker)

    check_parser = commands.add_parser(
        "check", help="check the settings, tokens, scopes, approvals channel, roles, loyalty API and database")
    check_parser.set_defaults(run=check)

    sandbox_parser = commands.add_parser("sandbox", help="serve a local Coupontools-compatible API with demo data")
    sandbox_parser.add_argument("--host", default="127.0.0.1")
    sandbox_parser.add_argument("--port", type=int, default=8080)
    sandbox_parser.add_argument("--state-file", help="keep the sandbox's data in this JSON file")
    sandbox_parser.set_defaults(run=sandbox)

    demo_parser = commands.add_parser("demo", help="try the bot in this terminal: no Slack workspace or API account")
    demo_parser.add_argument("--script", type=Path, metavar="FILE",
                             help="run console commands from FILE and print the transcript (see examples/tour.txt)")
    demo_parser.set_defaults(run=demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"loyalty-bot: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
