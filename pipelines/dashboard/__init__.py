"""`armsflow dashboard`: serve the Streamlit dashboard (app.py) on the published warehouse.

The CLI process becomes `python -m streamlit run app.py` (exec), headless and without usage statistics, so the CLI
stays free of Streamlit imports and Ctrl-C or SIGTERM stops the server itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(port: int, address: str = "localhost") -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    d = subparsers.add_parser(
        "dashboard",
        help="serve the interactive dashboard on the published warehouse (read-only; reload the page after a refresh)",
    )
    d.add_argument("--port", type=int, default=8501, help="TCP port to serve on (default 8501)")
    d.add_argument(
        "--address",
        default="localhost",
        help="interface to listen on (default localhost; 0.0.0.0 to share on the network)",
    )
    d.set_defaults(func=cmd_dashboard)


def cmd_dashboard(args, settings) -> int:
    from ..errors import ArmsflowError

    if not settings.published_path.exists():
        raise ArmsflowError(
            f"no published warehouse at {settings.published_path}: run `armsflow refresh` first "
            "(or point ARMSFLOW_HOME at the folder that holds warehouse.duckdb)"
        )
    print(
        f"armsflow dashboard: http://{args.address}:{args.port}/ on {settings.published_path} (Ctrl-C stops)",
        file=sys.stderr,
    )
    # exec, not a child process: signals (Ctrl-C, a supervisor's SIGTERM) reach Streamlit itself, nothing is orphaned.
    os.execve(
        sys.executable, streamlit_command(args.port, args.address), {**os.environ, "ARMSFLOW_HOME": str(settings.home)}
    )
    return 0  # not reached
