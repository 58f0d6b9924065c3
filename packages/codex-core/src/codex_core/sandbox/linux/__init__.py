"""Linux enforcement: Landlock, seccomp, namespaces and capabilities (stdlib + ctypes only)."""
