"""The sandbox helper: ``python -I -m codex_core.sandbox --spec JSON [--cwd DIR] -- COMMAND...``.

Applies the restrictions to itself and ``exec``s COMMAND (exit code = the command's; 126 when
the sandbox cannot be set up, 127 when the command is not found). ``--zygote FD`` instead runs
the fork-server on the inherited control socket FD. Hand-parsed arguments: this runs once per
command on the slow path and must start fast.
"""

from __future__ import annotations

import os
import sys

USAGE = "usage: python -m codex_core.sandbox (--spec JSON [--cwd DIR] -- COMMAND... | --zygote FD)\n"


def main(args: list[str]) -> None:
    spec_json: str | None = None
    cwd = os.getcwd()
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if a == "--zygote" and i + 1 < len(args):
            from codex_core.sandbox.zygote import serve

            serve(int(args[i + 1]))
            return
        if a == "--spec" and i + 1 < len(args):
            spec_json = args[i + 1]
            i += 2
            continue
        if a == "--cwd" and i + 1 < len(args):
            cwd = args[i + 1]
            i += 2
            continue
        sys.stderr.write(USAGE)
        sys.exit(2)
    command = args[i:]
    if not command or spec_json is None:
        sys.stderr.write(USAGE)
        sys.exit(2)
    from codex_core.sandbox.launch import exec_sandboxed
    from codex_core.sandbox.spec import LinuxSandboxSpec

    try:
        spec = None if spec_json == "none" else LinuxSandboxSpec.from_json(spec_json)
    except (ValueError, TypeError) as exc:
        sys.stderr.write(f"codex-sandbox: invalid --spec: {exc}\n")
        sys.exit(2)
    exec_sandboxed(command, cwd=cwd, env=os.environ, spec=spec)


if __name__ == "__main__":
    main(sys.argv[1:])
