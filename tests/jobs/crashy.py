"""A process that runs one durable job of `steps` steps, each writing a line to a file, to be killed and restarted.

    python -m tests.jobs.crashy STORE_URL SCHEMA LOG STEPS [EXECUTOR_ID] [--enqueue]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dbos import DBOS

from bot.jobs.engine import Engine
from bot.store import Store

STEP_SECONDS = 0.4


@DBOS.step()
def write_line(log: str, index: int) -> int:
    with Path(log).open("a") as out:
        out.write(f"start {index}\n")
    time.sleep(STEP_SECONDS)
    with Path(log).open("a") as out:
        out.write(f"done {index}\n")
    return index


@DBOS.workflow()
def job(log: str, steps: int) -> int:
    return sum(write_line(log, index) for index in range(steps))


def main(argv: list[str]) -> None:
    url, schema, log, steps = argv[0], argv[1], argv[2], int(argv[3])
    executor = argv[4] if len(argv) > 4 and not argv[4].startswith("--") else None
    store = Store.connect(url)
    engine = Engine(store, url, executor_id=executor, schema=schema).start()
    if "--enqueue" in argv:
        DBOS.retrieve_queue("imports").enqueue(job, log, steps)  # type: ignore[union-attr]
        print("enqueued", flush=True)
    print("ready", engine.executor_id, flush=True)
    while True:
        time.sleep(0.1)


if __name__ == "__main__":
    main(sys.argv[1:])
