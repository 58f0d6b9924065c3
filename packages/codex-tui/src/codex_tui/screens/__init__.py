"""Modal screens: approval prompt and the pickers behind /model, /approvals and /resume."""

from __future__ import annotations

from codex_tui.screens.approval import ApprovalScreen
from codex_tui.screens.picker import PickerItem, PickerScreen

__all__ = ["ApprovalScreen", "PickerItem", "PickerScreen"]
