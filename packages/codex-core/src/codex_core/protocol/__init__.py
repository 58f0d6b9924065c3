"""Wire and event models shared by core and every frontend."""

from codex_core.protocol.events import *  # noqa: F403
from codex_core.protocol.events import __all__ as _events_all
from codex_core.protocol.items import *  # noqa: F403
from codex_core.protocol.items import __all__ as _items_all

__all__ = [*_events_all, *_items_all]  # pyright: ignore[reportUnsupportedDunderAll]
