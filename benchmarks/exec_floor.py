"""The start-up floor of the exec stack: what a minimal program that does one streamed request costs.

Each step runs in a fresh interpreter (median of RUNS). The last step is the smallest program
that does what a one-turn `codex exec` must do with the project's chosen libraries: parse
arguments with click, define and validate a pydantic model, create an attrs class and stream one
SSE response from the local scripted server with httpx inside asyncio. Compare with
`exec_turn.py`'s one-turn figure: the difference is what codex-py itself adds.
Run: `uv run python benchmarks/exec_floor.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.sse_server import ScriptedResponsesServer, turn_message

RUNS = int(os.environ.get("RUNS", "9"))

_BLOCK_HTTPX_CLI = "import sys; sys.modules['httpx._main'] = None\n"
_MINIMAL_TURN = """
import asyncio, click, attrs, httpx
from pydantic import BaseModel, Field

class Event(BaseModel):
    type: str
    delta: str | None = None
    sequence: int = Field(default=0, ge=0)

@attrs.frozen
class Turn:
    text: str

@click.command()
@click.argument("url")
def main(url: str) -> None:
    async def run() -> None:
        async with httpx.AsyncClient() as client:
            async with client.stream("POST", url + "/responses", json={"input": "go"}) as r:
                async for line in r.aiter_lines():
                    if line.startswith("data: "):
                        Event.model_validate_json(line[6:])
    asyncio.run(run())
    print(Turn("done").text)

main()
"""

STEPS = [
    ("python -c pass", "pass"),
    ("+ import asyncio", "import asyncio"),
    (
        "+ pydantic model built and validated",
        "import asyncio\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nM(x=1)",
    ),
    (
        "+ httpx, click, attrs imported",
        _BLOCK_HTTPX_CLI + "import asyncio, httpx, click, attrs\n"
        "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nM(x=1)",
    ),
    ("minimal streamed turn (same stack)", _BLOCK_HTTPX_CLI + _MINIMAL_TURN),
]


def median_ms(code: str, *args: str) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, *args], check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    with ScriptedResponsesServer(repeat_last=True) as server:
        server.enqueue(turn_message("hi"))
        for label, code in STEPS:
            args = (server.base_url,) if "main()" in code else ()
            print(f"{label:40s} {median_ms(code, *args):7.1f} ms")


if __name__ == "__main__":
    main()
