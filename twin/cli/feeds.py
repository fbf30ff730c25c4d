"""``twin listen FEEDS.toml``: run the feeds of a feeds file headless into its twin."""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``listen`` subcommand to the ``twin`` command line."""
    listen = commands.add_parser(
        "listen", help="run live feeds (MQTT, NGSI-LD, SensorThings, replay) into a twin",
        description="Run the feeds of a feeds file (TOML) headless and append what they observe to "
                    "the twin's time series. Credentials come from the environment variables the file names.")
    listen.add_argument("feeds", type=Path, help="feeds file (TOML)")
    listen.add_argument("--duration", type=float, help="stop after this many seconds")
    listen.add_argument("--max-messages", type=int, help="stop after this many messages")
    listen.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    listen.set_defaults(handler=_listen_command)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _listen_command(args: argparse.Namespace) -> int:
    from rich.logging import RichHandler
    from rich.table import Table

    from twin.cli.output import console
    from twin.feeds.config import load_config
    from twin.feeds.runner import ListenReport, listen

    err = console(stderr=True)
    logging.basicConfig(level=logging.WARNING, handlers=[RichHandler(console=err, show_path=False)],
                        format="%(message)s")
    config = load_config(args.feeds)
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop ends the run as Ctrl-C does

    def progress(report: ListenReport) -> None:
        if not args.quiet:
            received = sum(s.received for s in report.feeds.values())
            err.print(f"{report.seconds:7.1f} s  {received:,} messages  {report.ingest.stored:,} stored",
                          highlight=False)

    report = listen(config, args.duration, args.max_messages, progress)
    table = Table("feed", "received", "observations", "malformed", "oversized", "reconnects",
                  title=f"twin listen: {config.folder.name}, {report.seconds:.1f} s")
    for name, s in report.feeds.items():
        table.add_row(name, *(f"{v:,}" for v in (s.received, s.observations, s.malformed, s.oversized, s.reconnects)))
    console().print(table)
    i = report.ingest
    console().print(f"stored {i.stored:,}, duplicates {i.duplicates:,}, out of order {i.out_of_order:,}, "
                    f"unmapped sensors {i.unmapped:,}, rejected {i.rejected:,}, "
                    f"quarantined {i.quarantined:,}", highlight=False)
    return 0
