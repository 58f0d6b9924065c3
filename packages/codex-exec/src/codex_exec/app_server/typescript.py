"""``codex app-server generate-ts``: TypeScript declarations of the implemented messages.

Generated from the JSON Schemas pydantic produces for the models in the registries of
:mod:`codex_exec.app_server.wire` (one shared ``$defs`` namespace, built by
``models_json_schema``). Layout follows the reference tool: one ``export type X = ...;`` file per
named type, ``v2/`` for everything but ``initialize``'s types and the top-level unions
``ClientRequest``, ``ServerRequest``, ``ServerNotification``, ``ClientNotification`` (plus
``RequestId`` and ``serde_json/JsonValue``), and ``index.ts`` files re-exporting every type.

Params are described as the server validates them (fields with defaults are optional:
``field?: T | null``); responses, notifications and server requests as the server serializes them
(every field present: ``field: T | null``). A type used both ways keeps the validation form,
which is correct in both directions. A model's JSON Schema ``title`` names its type.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from codex_exec.app_server import wire
from codex_exec.app_server.schema import notification_type_name, type_name

__all__ = ["PrettierError", "notification_type_name", "typescript_files", "write_typescript"]

HEADER = "// GENERATED CODE! DO NOT MODIFY BY HAND!\n"
JSON_VALUE = "JsonValue"
JSON_VALUE_PATH = "serde_json/JsonValue"
V2 = "v2"

Mode = Literal["validation", "serialization"]

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_DEF_PREFIX = "#/$defs/"
_MODE_SUFFIXES = ("-Input", "-Output")


class PrettierError(RuntimeError):
    """Running the ``--prettier`` binary failed."""


def _server_request_base(params: type[BaseModel]) -> str:
    return params.__name__.removesuffix("Params")


@dataclass(frozen=True)
class _Root:
    """A message type named after its method (``ThreadStartParams``), whatever its class is called."""

    name: str
    model: type[BaseModel]
    mode: Mode
    folder: str


def _roots() -> list[_Root]:
    roots: list[_Root] = []
    for method, (params, result) in wire.METHODS.items():
        base = type_name(method)
        folder = "" if method == "initialize" else V2
        roots.append(_Root(f"{base}Params", params, "validation", folder))
        roots.append(_Root(f"{base}Response", result, "serialization", folder))
    for method, note in wire.NOTIFICATIONS.items():
        roots.append(_Root(notification_type_name(method), note, "serialization", V2))
    for params, result in wire.SERVER_REQUESTS.values():
        base = _server_request_base(params)
        roots.append(_Root(f"{base}Params", params, "serialization", V2))
        roots.append(_Root(f"{base}Response", result, "validation", V2))
    return roots


@dataclass
class _Decl:
    name: str
    folder: str
    schema: dict[str, Any]
    refs: set[str] = field(default_factory=set)
    body: str = ""


def _quote_doc(text: str) -> str:
    """A JSDoc comment (RST double backticks become Markdown ones)."""
    lines = text.replace("``", "`").replace("*/", "*\\/").strip().splitlines()
    return "/**\n" + "".join(f" * {line}".rstrip() + "\n" for line in lines) + " */\n"


def _key(name: str, schema: Mapping[str, Any]) -> str:
    if "const" in schema or not _IDENTIFIER.match(name):
        return json.dumps(name)
    return name


def _paren(ts: str) -> str:
    return f"({ts})" if " | " in ts or " & " in ts else ts


def _union(parts: Iterable[str]) -> str:
    out: list[str] = []
    for part in parts:
        if part not in out:
            out.append(part)
    if JSON_VALUE in out:
        return JSON_VALUE  # JsonValue already includes null and every other member
    return " | ".join(out)


class _Translator:
    """JSON Schema (pydantic's dialect) -> TypeScript type expressions."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = names

    def ref_name(self, ref: str) -> str:
        if not ref.startswith(_DEF_PREFIX):
            raise ValueError(f"unsupported $ref {ref!r}")
        return self._names[ref.removeprefix(_DEF_PREFIX)]

    def ts(self, schema: Any, refs: set[str]) -> str:
        if schema is True or schema == {} or not isinstance(schema, Mapping):
            refs.add(JSON_VALUE)
            return JSON_VALUE
        if "$ref" in schema:
            name = self.ref_name(schema["$ref"])
            refs.add(name)
            return name
        if "const" in schema:
            return json.dumps(schema["const"])
        if "enum" in schema:
            return _union(json.dumps(v) for v in schema["enum"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                union = _union(self.ts(member, refs) for member in schema[key])
                if schema.get("properties"):  # members every shape has, then one of the shapes
                    shared = {k: v for k, v in schema.items() if k != key}
                    return f"{self.ts(shared, refs)} & ({union})"
                return union
        if "allOf" in schema:
            parts = [self.ts(member, refs) for member in schema["allOf"]]
            return parts[0] if len(parts) == 1 else " & ".join(_paren(p) for p in parts)
        kind = schema.get("type")
        if isinstance(kind, list):
            return _union(self.ts({**schema, "type": k}, refs) for k in kind)
        if kind == "string":
            return "string"
        if kind in ("integer", "number"):
            return "number"
        if kind == "boolean":
            return "boolean"
        if kind == "null":
            return "null"
        if kind == "array":
            return self._array(schema, refs)
        if kind == "object":
            return self._object(schema, refs)
        refs.add(JSON_VALUE)
        return JSON_VALUE

    def _array(self, schema: Mapping[str, Any], refs: set[str]) -> str:
        if "prefixItems" in schema:
            return "[" + ", ".join(self.ts(item, refs) for item in schema["prefixItems"]) + "]"
        return f"Array<{self.ts(schema.get('items', True), refs)}>"

    def _object(self, schema: Mapping[str, Any], refs: set[str]) -> str:
        props: Mapping[str, Any] | None = schema.get("properties")
        extra = schema.get("additionalProperties")
        mapped = None
        if isinstance(extra, Mapping) or (props is None and extra is not False):
            mapped = f"{{ [key in string]?: {self.ts(extra if isinstance(extra, Mapping) else True, refs)} }}"
        if not props:
            return mapped or "Record<string, never>"
        required = set(schema.get("required", ()))
        fields = []
        for name, prop in props.items():
            doc = prop.get("description") if isinstance(prop, Mapping) else None
            text = f"{_key(name, prop)}{'' if name in required else '?'}: {self.ts(prop, refs)}, "
            fields.append(("\n" + _quote_doc(doc) if doc else "") + text)
        body = ("{" if fields[0].startswith("\n") else "{ ") + "".join(fields) + "}"
        return f"{body} & {mapped}" if mapped else body


def _ts_names(defs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """``$defs`` key -> TypeScript name: the schema's ``title`` when usable and unambiguous.

    pydantic keys a model whose validation and serialization schemas differ twice
    (``X-Input``/``X-Output``, same title): both map to ``X``.
    """
    by_title: dict[str, list[str]] = {}
    for key, schema in defs.items():
        title = schema.get("title")
        name = title if isinstance(title, str) and _IDENTIFIER.match(title) else key
        by_title.setdefault(name, []).append(key)
    names: dict[str, str] = {}
    for name, keys in by_title.items():
        if len({_stem(k) for k in keys}) == 1:  # one model, maybe keyed per mode
            names.update(dict.fromkeys(keys, name))
        else:  # different models share a title: fall back to their (unique) keys
            names.update({k: re.sub(r"[^A-Za-z0-9_$]", "_", k) for k in keys})
    return names


def _stem(key: str) -> str:
    for suffix in _MODE_SUFFIXES:
        key = key.removesuffix(suffix)
    return key


def _preferred(keys: Iterable[str]) -> str:
    """Of ``X-Input``/``X-Output``, the validation form."""
    ordered = sorted(keys, key=lambda k: (not k.endswith("-Input"), k))
    return ordered[0]


def _declarations() -> list[_Decl]:
    roots = _roots()
    pairs = list(dict.fromkeys((root.model, root.mode) for root in roots))
    refs_of, bundle = models_json_schema(pairs, by_alias=True, ref_template=_DEF_PREFIX + "{model}")
    defs: dict[str, dict[str, Any]] = bundle.get("$defs", {})
    names = _ts_names(defs)
    translator = _Translator(names)
    decls: dict[str, _Decl] = {}
    root_keys: dict[str, str] = {}
    for root in roots:
        key = refs_of[(root.model, root.mode)]["$ref"].removeprefix(_DEF_PREFIX)
        if root.name in decls:
            raise ValueError(f"two protocol messages are both named {root.name}")
        decls[root.name] = _Decl(root.name, root.folder, defs[key])
        root_keys[root.name] = key
    # Named types referenced from the messages (transitively), each emitted once.
    by_name: dict[str, list[str]] = {}
    for key, name in names.items():
        by_name.setdefault(name, []).append(key)
    pending = list(decls.values())
    while pending:
        decl = pending.pop()
        decl.body = translator.ts(decl.schema, decl.refs)
        for ref in sorted(decl.refs - {JSON_VALUE}):
            if ref in decls:
                if ref in root_keys and names[root_keys[ref]] != ref:
                    raise ValueError(f"type {ref} clashes with the protocol message of the same name")
                continue
            key = _preferred(by_name[ref])
            new = _Decl(ref, V2, defs[key])
            decls[ref] = new
            pending.append(new)
    _assign_folders(decls)
    return sorted(decls.values(), key=lambda d: (d.folder, d.name))


def _assign_folders(decls: dict[str, _Decl]) -> None:
    """Types reachable from a root-folder message (``initialize``) live at the root, the rest in ``v2/``."""
    stack = [d.name for d in decls.values() if d.folder == ""]
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        decls[name].folder = ""
        stack.extend(r for r in decls[name].refs if r in decls)


def _module_path(name: str, folder: str) -> str:
    """``name``'s module, relative to the output directory (``v2/Turn``, ``serde_json/JsonValue``)."""
    if name == JSON_VALUE:
        return JSON_VALUE_PATH
    return f"{folder}/{name}" if folder else name


def _relative(from_folder: str, target: str) -> str:
    if not from_folder:
        return "./" + target
    if target.startswith(from_folder + "/"):
        return "./" + target.removeprefix(from_folder + "/")
    return "../" + target


def _file(from_folder: str, imports: Mapping[str, str], text: str) -> str:
    """A ``.ts`` file: header, ``import type`` lines (``imports``: name -> module path), ``text``."""
    lines = sorted((_relative(from_folder, path), name) for name, path in imports.items())
    head = "".join(f'import type {{ {name} }} from "{path}";\n' for path, name in lines)
    return HEADER + "\n" + head + ("\n" if head else "") + text


def _decl_text(name: str, body: str, doc: str | None = None) -> str:
    return (_quote_doc(doc) if doc else "") + f"export type {name} = {body};\n"


def _request_union(title: str, entries: list[tuple[str, str]], doc: str, with_id: bool) -> tuple[str, list[str]]:
    members = []
    for method, params in entries:
        id_part = " id: RequestId," if with_id else ""
        members.append(f'{{ "method": {json.dumps(method)},{id_part} params: {params}, }}')
    refs = [p for _, p in entries] + (["RequestId"] if with_id else [])
    return _decl_text(title, " | ".join(members) or "never", doc), refs


def typescript_files() -> dict[str, str]:
    """Relative file path -> content, for every file ``write_typescript`` writes."""
    decls = _declarations()
    folder_of = {d.name: d.folder for d in decls}
    folder_of["RequestId"] = ""
    files: dict[str, str] = {}

    def imports(names: Iterable[str]) -> dict[str, str]:
        return {name: _module_path(name, folder_of.get(name, "")) for name in names}

    for d in decls:
        doc = d.schema.get("description")
        text = _decl_text(d.name, d.body, doc if isinstance(doc, str) else None)
        files[f"{_module_path(d.name, d.folder)}.ts"] = _file(d.folder, imports(d.refs - {d.name}), text)
    files[f"{JSON_VALUE_PATH}.ts"] = _file(
        "serde_json",
        {},
        _decl_text(
            JSON_VALUE,
            "number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null",
        ),
    )
    files["RequestId.ts"] = _file("", {}, _decl_text("RequestId", "string | number"))
    unions = {
        "ClientRequest": _request_union(
            "ClientRequest",
            [(m, f"{type_name(m)}Params") for m in wire.METHODS],
            "Request from the client to the server.",
            with_id=True,
        ),
        "ServerRequest": _request_union(
            "ServerRequest",
            [(m, f"{_server_request_base(p)}Params") for m, (p, _) in wire.SERVER_REQUESTS.items()],
            "Request initiated from the server and sent to the client.",
            with_id=True,
        ),
        "ServerNotification": _request_union(
            "ServerNotification",
            [(m, notification_type_name(m)) for m in wire.NOTIFICATIONS],
            "Notification sent from the server to the client.",
            with_id=False,
        ),
        "ClientNotification": (
            _decl_text("ClientNotification", '{ "method": "initialized" }', "Notification sent from the client."),
            [],
        ),
    }
    for name, (text, refs) in unions.items():
        files[f"{name}.ts"] = _file("", imports(refs), text)
    root_names = sorted([*(d.name for d in decls if not d.folder), "RequestId", *unions])
    v2_names = sorted(d.name for d in decls if d.folder == V2)
    files["index.ts"] = _index(root_names, has_v2=bool(v2_names))
    if v2_names:
        files[f"{V2}/index.ts"] = _index(v2_names, has_v2=False)
    return files


def _index(names: list[str], *, has_v2: bool) -> str:
    lines = [(n, f'export type {{ {n} }} from "./{n}";\n') for n in names]
    if has_v2:
        lines.append((V2, f'export * as {V2} from "./{V2}";\n'))
    lines.sort(key=lambda item: item[0].lower())
    return HEADER + "\n" + "".join(line for _, line in lines)


def write_typescript(out_dir: Path, *, prettier: str | None = None) -> list[Path]:
    """Write every ``.ts`` file under ``out_dir`` (created if needed); returns the paths written.

    With ``prettier``, runs ``PRETTIER --write OUT_DIR`` afterwards; raises :class:`PrettierError`
    when it cannot be started or exits non-zero.
    """
    written = []
    for rel, text in typescript_files().items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if prettier is not None:
        _run_prettier(prettier, out_dir)
    return written


def _run_prettier(binary: str, out_dir: Path) -> None:
    try:
        proc = subprocess.run([binary, "--write", str(out_dir)], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise PrettierError(f"cannot run {binary}: {exc.strerror or exc}") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise PrettierError(
            f"{binary} --write {out_dir} exited with {proc.returncode}" + (f": {detail}" if detail else "")
        )
