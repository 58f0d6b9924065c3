"""A real MCP server (official SDK, ``MCPServer``) used by the MCP client tests.

Run as ``python fixture_server.py`` for stdio or ``python fixture_server.py http PORT`` for
streamable HTTP on 127.0.0.1. Tools cover every result shape the client maps: text, an image,
structured content, an error, a slow call (timeouts) and a crash (server dies mid-call).
"""

from __future__ import annotations

import base64
import os
import sys

import anyio
from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

# 1x1 transparent PNG.
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

server = MCPServer("fixture", version="1.0.0")


class Weather(BaseModel):
    city: str
    temperature_c: float


@server.tool(description="Echo the text back.")
def echo(text: str) -> str:
    return f"echo: {text}"


@server.tool(description="Add two integers.")
def add(a: int, b: int) -> int:
    return a + b


@server.tool(description="Return a tiny PNG image.")
def picture() -> Image:
    return Image(data=PNG_1X1, format="png")


@server.tool(description="Structured weather report.")
def weather(city: str) -> Weather:
    return Weather(city=city, temperature_c=21.5)


@server.tool(description="Always fails.")
def fail(reason: str = "boom") -> str:
    raise ToolError(f"tool failed: {reason}")


@server.tool(description="Sleep for a while, then answer.")
async def slow(seconds: float = 30.0) -> str:
    await anyio.sleep(seconds)
    return "finally"


@server.tool(description="Kill the server process mid-call.")
def crash() -> str:
    os._exit(3)


@server.tool(description="Report the server's environment variable.")
def getenv(name: str) -> str:
    return os.environ.get(name, "<unset>")


@server.tool(description="Selected HTTP request headers (empty over stdio).")
def headers(ctx: Context) -> dict[str, str]:
    got = ctx.headers or {}
    return {k: got[k] for k in ("authorization", "x-static", "x-from-env") if k in got}


@server.tool(description="The server's process id.")
def pid() -> int:
    return os.getpid()


@server.resource("fixture://readme", name="readme", description="A readme", mime_type="text/plain")
def readme() -> str:
    return "hello from the fixture"


@server.resource("fixture://items/{item}", name="item", description="An item")
def item(item: str) -> str:
    return f"item {item}"


def main() -> None:
    if os.environ.get("FIXTURE_STARTUP_DELAY"):
        import time

        time.sleep(float(os.environ["FIXTURE_STARTUP_DELAY"]))
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()


if __name__ == "__main__":
    main()
