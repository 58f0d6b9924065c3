"""``python -m codex_exec``: the ``codex`` command (same as the console script)."""

from codex_exec.multitool.entry import main

if __name__ == "__main__":
    main()
