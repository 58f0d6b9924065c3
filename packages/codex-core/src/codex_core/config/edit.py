"""Editing ``config.toml`` in place: comments and formatting survive (tomlkit), writes are atomic.

Used by ``codex mcp add/remove`` and the app-server's ``config/value/write`` /
``config/batchWrite``. A file that does not parse is never touched (the error names the line);
an edit whose result would not be a valid config is refused (the error names the key) and the
file is left as it was. ``expected_version`` (``sha256:<hex>`` of the file's bytes, as
``config/read`` reports it) guards against overwriting somebody else's change.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
from pydantic import ValidationError

from codex_core.config.errors import validation_to_config_error
from codex_core.config.toml_io import (
    MAX_TOML_NESTING,
    parse_toml_text,
    read_toml_text,
    render_key_path,
    split_dotted_key,
    too_deep_path,
)
from codex_core.errors import ConfigError

__all__ = [
    "ConfigEdit",
    "ConfigWriteError",
    "MergeStrategy",
    "config_lock",
    "file_version",
    "load_for_edit",
    "write_atomic",
    "write_config_values",
]

MergeStrategy = Literal["replace", "upsert"]

WriteErrorCode = Literal["configVersionConflict", "configValidationError", "configPathNotFound"]


class ConfigWriteError(ConfigError):
    """A refused config edit; ``write_code`` is the app-server's ``ConfigWriteErrorCode``."""

    def __init__(self, message: str, *, write_code: WriteErrorCode, path: str | None = None, key: str | None = None):
        super().__init__(message, path=path, key=key)
        self.write_code = write_code


@attrs.frozen
class ConfigEdit:
    """Set ``key_path`` (dotted, quoted parts allowed) to ``value``; ``None`` deletes the key."""

    key_path: str
    value: Any
    merge_strategy: MergeStrategy = "replace"


def _version_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_version(path: Path) -> str:
    """``sha256:<hex>`` of the file's bytes (of no bytes when it does not exist), as ``config/read`` reports it."""
    try:
        return _version_of(path.read_bytes())
    except FileNotFoundError:
        return _version_of(b"")


def load_for_edit(path: Path) -> tuple[Any, str]:
    """``(tomlkit document, original text)``; refuses (``ConfigError`` naming the file) a file
    that does not parse or nests too deeply. tomlkit is only reached after the checked reader
    accepted the text, and its own rare disagreements are reported the same way."""
    import tomlkit
    from tomlkit.exceptions import ParseError, TOMLKitError

    text = read_toml_text(path) or ""
    parse_toml_text(text, source=str(path))
    try:
        return tomlkit.parse(text), text
    except ParseError as exc:
        raise ConfigError(f"{path}:{exc.line}: cannot edit: {exc}", path=str(path), line=exc.line) from None
    except (TOMLKitError, RecursionError) as exc:
        raise ConfigError(f"{path}: cannot edit: {str(exc) or type(exc).__name__}", path=str(path)) from None


def write_atomic(path: Path, text: str) -> None:
    """Atomically replace ``path`` with ``text`` (the original's permission bits are kept, new files 0600)."""
    from codex_core.fsutil import write_atomic as replace_file

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o600
    replace_file(path, text.encode("utf-8"), mode=mode)


def _toml_value(value: Any, key: str) -> Any:
    """JSON value -> plain TOML-able value (``None`` inside tables is dropped, inside arrays refused)."""
    if isinstance(value, Mapping):
        return {str(k): _toml_value(v, f"{key}.{k}") for k, v in value.items() if v is not None}
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        raise ConfigWriteError(
            f"`{key}`: {value} does not fit in a TOML integer (64-bit)", write_code="configValidationError", key=key
        )
    if isinstance(value, list):
        if any(v is None for v in value):
            raise ConfigWriteError(
                f"`{key}`: null is not allowed inside an array", write_code="configValidationError", key=key
            )
        return [_toml_value(v, f"{key}[]") for v in value]
    return value


def _apply(doc: MutableMapping[str, Any], edit: ConfigEdit, path: Path) -> None:
    import tomlkit

    parts = split_dotted_key(edit.key_path)
    if not parts or any(not p for p in parts):
        raise ConfigWriteError(
            f"invalid keyPath {edit.key_path!r}: expected a dotted key such as `model` or `tools.web_search`",
            write_code="configPathNotFound",
            key=edit.key_path,
        )
    _check_nesting(edit, parts)
    table: MutableMapping[str, Any] = doc
    for depth, part in enumerate(parts[:-1]):
        nxt = table.get(part)
        if nxt is None:
            if edit.value is None:
                return  # deleting below a table that does not exist: nothing to do
            nxt = tomlkit.table()
            table[part] = nxt
        elif not isinstance(nxt, MutableMapping):
            where = ".".join(parts[: depth + 1])
            raise ConfigWriteError(
                f"{path}: cannot set `{edit.key_path}`: `{where}` is a value, not a table",
                write_code="configPathNotFound",
                path=str(path),
                key=edit.key_path,
            )
        table = nxt
    leaf = parts[-1]
    if edit.value is None:
        table.pop(leaf, None)
        return
    value = _toml_value(edit.value, edit.key_path)
    current = table.get(leaf)
    if edit.merge_strategy == "upsert" and isinstance(current, MutableMapping) and isinstance(value, dict):
        _deep_merge(current, value)
    else:
        table[leaf] = value


def _check_nesting(edit: ConfigEdit, parts: Sequence[str]) -> None:
    """Refuse an edit whose key plus value nest deeper than a config file may (checked
    iteratively, before the recursive conversion and tomlkit see the value)."""
    room = MAX_TOML_NESTING - len(parts)
    deep = too_deep_path(edit.value, max(room, 0)) if room >= 0 else ()
    if deep is not None:
        where = render_key_path([*parts, *deep][:8])
        raise ConfigWriteError(
            f"`{where}`: nested too deeply (more than {MAX_TOML_NESTING} levels of tables and arrays)",
            write_code="configValidationError",
            key=edit.key_path,
        )


def _deep_merge(target: MutableMapping[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        current = target.get(key)
        if isinstance(current, MutableMapping) and isinstance(value, Mapping):
            _deep_merge(current, value)
        else:
            target[key] = value


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def config_lock(path: Path) -> threading.Lock:
    """The lock every in-process editor of ``path`` holds from reading it to replacing it."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path.resolve(), threading.Lock())


def write_config_values(
    path: Path,
    edits: Sequence[ConfigEdit],
    *,
    expected_version: str | None = None,
    check: Callable[[], object] | None = None,
) -> str:
    """Apply ``edits`` to ``path`` in one atomic write; returns the new ``file_version``.

    ``check`` runs after the write (e.g. a full ``load_config``, which also resolves profiles,
    providers and requirements); if it raises ``ConfigError`` the previous file is put back.
    Writers in this process are serialised, so the version check and the replacement are one
    step. Raises ``ConfigWriteError`` (version conflict, bad key path, invalid result) or
    ``ConfigError`` (the file does not parse); in every error case the file is unchanged.
    """
    import tomlkit

    from codex_core.config.models import ConfigToml
    from codex_core.config.unknown import split_unknown

    with config_lock(path):
        try:
            original: bytes | None = path.read_bytes()
        except FileNotFoundError:
            original = None
        current = _version_of(original or b"")
        if expected_version is not None and expected_version != current:
            raise ConfigWriteError(
                f"{path} changed since version {expected_version} was read (now {current}); "
                "read the config again and retry",
                write_code="configVersionConflict",
                path=str(path),
            )
        doc, _ = load_for_edit(path)
        for edit in edits:
            _apply(doc, edit, path)
        new_text = tomlkit.dumps(doc)
        data = parse_toml_text(new_text, source=f"{path} (edited)")
        known, _ = split_unknown(ConfigToml, data)  # keys this version does not read are kept as written
        try:
            ConfigToml.model_validate(known)
        except ValidationError as exc:
            err = validation_to_config_error(exc, source=f"{path} (edited)", text=new_text, data=known)
            raise ConfigWriteError(
                f"{err}; {path} was not changed", write_code="configValidationError", path=str(path), key=err.key
            ) from None
        write_atomic(path, new_text)
        if check is not None:
            try:
                check()
            except ConfigError as exc:
                _restore(path, original)
                raise ConfigWriteError(
                    f"{exc}; {path} was not changed", write_code="configValidationError", path=str(path), key=exc.key
                ) from None
        return _version_of(new_text.encode("utf-8"))


def _restore(path: Path, original: bytes | None) -> None:
    from codex_core.fsutil import write_atomic as replace_file

    if original is None:  # remove what the write created (through a symlink: its target, not the link)
        Path(os.path.realpath(path)).unlink(missing_ok=True)
    else:
        replace_file(path, original, mode=path.stat().st_mode & 0o7777)
