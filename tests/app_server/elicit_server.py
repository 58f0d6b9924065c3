"""A real MCP server (official SDK, ``MCPServer``, stdio) whose tools ask the user through
``ctx.elicit`` / ``ctx.elicit_url``: the app-server elicitation tests drive it through Codex."""

from __future__ import annotations

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, Field

server = MCPServer("elicit", version="1.0.0")


class Booking(BaseModel):
    name: str = Field(description="Who the table is for")
    guests: int = Field(description="How many people")


class Confirmation(BaseModel):
    pass


@server.tool(description="Book a table; asks the user for the name and the number of guests.")
async def book_table(restaurant: str, ctx: Context) -> str:
    result = await ctx.elicit(f"Book a table at {restaurant}?", schema=Booking)
    if result.action == "accept":
        return f"booked {restaurant} for {result.data.name} ({result.data.guests} guests)"
    return f"booking {result.action}"


@server.tool(description="Ask for a bare confirmation (a form without fields).")
async def confirm(ctx: Context) -> str:
    result = await ctx.elicit("Proceed?", schema=Confirmation)
    return f"confirm: {result.action}"


@server.tool(description="Send the user to a sign-in page.")
async def sign_in(ctx: Context) -> str:
    result = await ctx.elicit_url("Sign in to continue", "https://example.com/login", "login-1")
    return f"sign-in: {result.action}"


if __name__ == "__main__":
    server.run()
