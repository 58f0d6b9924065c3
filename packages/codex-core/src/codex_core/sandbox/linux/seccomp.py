"""A seccomp-BPF filter assembled by hand (no libseccomp bindings needed).

Always denied (``EPERM``): ptrace and process_vm_*, io_uring, mount/namespace/keyring/module/
bpf/perf syscalls, ``open_by_handle_at``, ``clone`` with any ``CLONE_NEW*`` flag and the ``TIOCSTI``/``TIOCLINUX``
ioctls (typing into the user's terminal); ``clone3``
returns ``ENOSYS`` so libc falls back to ``clone`` (whose flags we can inspect).

Network ``none``: ``socket`` only for ``AF_UNIX`` stream sockets; ``connect``/``bind``/``listen``/``accept*``,
``sendmmsg``/``recvmmsg`` and ``sendto`` with a destination address fail with ``EPERM``.
Network ``proxy``: ``socket`` only for ``AF_INET``/``AF_INET6`` (the network namespace has only
loopback and Landlock limits TCP to the proxy ports); new ``AF_UNIX`` sockets are denied.
In both, ``socketpair`` works for stream sockets only (a datagram socket could ``sendmsg`` to a
host socket path). Network ``full``: no socket rules.
"""

from __future__ import annotations

import ctypes
import errno
import struct
from typing import Literal

from codex_core.sandbox.linux._libc import SandboxSetupError, check, libc, machine

__all__ = ["NetworkFilter", "build_filter", "install_filter"]

NetworkFilter = Literal["none", "proxy", "full"]

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_SYSCALL_BIT = 0x40000000

_NR: dict[str, dict[str, int]] = {
    "x86_64": {
        "socket": 41, "connect": 42, "accept": 43, "sendto": 44, "bind": 49, "listen": 50,
        "socketpair": 53, "clone": 56, "ioctl": 16, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
        "unshare": 272, "setns": 308, "clone3": 435, "accept4": 288, "sendmmsg": 307,
        "recvmmsg": 299, "open_by_handle_at": 304, "name_to_handle_at": 303, "kexec_load": 246,
        "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
        "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248,
        "request_key": 249, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "mount_setattr": 442, "swapon": 167, "swapoff": 168,
        "reboot": 169, "iopl": 172, "ioperm": 173, "acct": 163, "quotactl": 179,
    },
    "aarch64": {
        "socket": 198, "connect": 203, "accept": 202, "sendto": 206, "bind": 200, "listen": 201,
        "socketpair": 199, "clone": 220, "ioctl": 29, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
        "unshare": 97, "setns": 268, "clone3": 435, "accept4": 242, "sendmmsg": 269,
        "recvmmsg": 243, "open_by_handle_at": 265, "name_to_handle_at": 264, "kexec_load": 104,
        "kexec_file_load": 294, "init_module": 105, "finit_module": 273, "delete_module": 106,
        "bpf": 280, "perf_event_open": 241, "userfaultfd": 282, "keyctl": 219, "add_key": 217,
        "request_key": 218, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "mount_setattr": 442, "swapon": 224, "swapoff": 225,
        "reboot": 142, "acct": 89, "quotactl": 60,
    },
}  # fmt: skip

_ALWAYS_DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "open_by_handle_at", "name_to_handle_at", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key",
    "request_key", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr", "swapon", "swapoff", "reboot", "iopl", "ioperm", "acct", "quotactl",
)  # fmt: skip
_NET_DENIED_WHEN_OFF = ("connect", "accept", "accept4", "bind", "listen", "sendmmsg", "recvmmsg")

_TIOCSTI = 0x5412  # push bytes into a terminal's input queue: keystroke injection
_TIOCLINUX = 0x541C
_CLONE_NEW_FLAGS = 0x7E020000  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
_AF_UNIX, _AF_INET, _AF_INET6 = 1, 2, 10

_SOCK_TYPE_MASK = 0xF  # the type without SOCK_NONBLOCK / SOCK_CLOEXEC
_SOCK_STREAM = 1

# BPF opcodes
_LD_W_ABS = 0x20
_ALU_AND_K = 0x54
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000

_OFF_NR, _OFF_ARCH = 0, 4


def _arg_lo(i: int) -> int:
    return 16 + 8 * i


Label = str | None
_Insn = tuple[int, Label, Label, int]  # code, jt label, jf label, k


class _Asm:
    def __init__(self) -> None:
        self.insns: list[_Insn] = []
        self.labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self.labels[name] = len(self.insns)

    def ld(self, offset: int) -> None:
        self.insns.append((_LD_W_ABS, None, None, offset))

    def and_(self, k: int) -> None:
        self.insns.append((_ALU_AND_K, None, None, k))

    def jump(self, code: int, k: int, jt: Label, jf: Label = None) -> None:
        self.insns.append((code, jt, jf, k))

    def ret(self, value: int) -> None:
        self.insns.append((_RET_K, None, None, value))

    def assemble(self) -> bytes:
        out = bytearray()
        for i, (code, jt, jf, k) in enumerate(self.insns):
            offs = []
            for lab in (jt, jf):
                if lab is None:
                    offs.append(0)
                    continue
                delta = self.labels[lab] - (i + 1)
                if not 0 <= delta <= 255:
                    raise SandboxSetupError(errno.EINVAL, f"seccomp jump out of range ({delta})")
                offs.append(delta)
            out += struct.pack("<HBBI", code, offs[0], offs[1], k)
        return bytes(out)


_CACHE: dict[tuple[str, str], bytes] = {}


def build_filter(network: NetworkFilter, *, arch: str | None = None) -> bytes:
    """Assemble the filter program for ``network`` mode; returns raw ``sock_filter`` bytes (cached)."""
    arch = arch or machine
    key = (network, arch)
    if key not in _CACHE:
        _CACHE[key] = _build(network, arch)
    return _CACHE[key]


def _build(network: NetworkFilter, arch: str) -> bytes:
    nr = _NR.get(arch)
    if nr is None:
        raise SandboxSetupError(errno.ENOSYS, f"seccomp filter: unsupported architecture {arch}")
    a = _Asm()
    a.ld(_OFF_ARCH)
    a.jump(_JEQ_K, _AUDIT_ARCH[arch], None, "kill")
    a.ld(_OFF_NR)
    if arch == "x86_64":
        a.jump(_JGE_K, _X32_SYSCALL_BIT, "eperm")
    for name in _ALWAYS_DENIED:
        if name in nr:
            a.jump(_JEQ_K, nr[name], "eperm")
    a.jump(_JEQ_K, nr["clone3"], "enosys")
    a.jump(_JEQ_K, nr["clone"], "clone")
    a.jump(_JEQ_K, nr["ioctl"], "ioctl")
    if network != "full":
        a.jump(_JEQ_K, nr["socket"], "socket")
        a.jump(_JEQ_K, nr["socketpair"], "unix_type")
    if network == "none":
        for name in _NET_DENIED_WHEN_OFF:
            a.jump(_JEQ_K, nr[name], "eperm")
        a.jump(_JEQ_K, nr["sendto"], "sendto")
    a.ret(_RET_ALLOW)

    a.label("ioctl")
    a.ld(_arg_lo(1))
    a.jump(_JEQ_K, _TIOCSTI, "eperm")
    a.jump(_JEQ_K, _TIOCLINUX, "eperm", "allow")
    a.label("clone")
    a.ld(_arg_lo(0))
    a.jump(_JSET_K, _CLONE_NEW_FLAGS, "eperm", "allow")
    if network != "full":
        a.label("socket")
        a.ld(_arg_lo(0))
        if network == "none":
            a.jump(_JEQ_K, _AF_UNIX, "unix_type", "eperm")
        else:
            a.jump(_JEQ_K, _AF_INET, "allow")
            a.jump(_JEQ_K, _AF_INET6, "allow", "eperm")
        # AF_UNIX (socket() in none mode, socketpair() in both): stream only. A datagram socket
        # can sendmsg() to any host socket path, which no argument filter can see.
        a.label("unix_type")
        a.ld(_arg_lo(1))
        a.and_(_SOCK_TYPE_MASK)
        # allow-list, not deny-list: the kernel turns AF_UNIX SOCK_RAW into a datagram socket
        a.jump(_JEQ_K, _SOCK_STREAM, "allow", "eperm")
    if network == "none":
        a.label("sendto")  # allowed only without a destination address (arg 4 == NULL)
        a.ld(_arg_lo(4))
        a.jump(_JEQ_K, 0, None, "eperm")
        a.ld(_arg_lo(4) + 4)
        a.jump(_JEQ_K, 0, "allow", "eperm")
    a.label("allow")
    a.ret(_RET_ALLOW)
    a.label("eperm")
    a.ret(_RET_ERRNO | errno.EPERM)
    a.label("enosys")
    a.ret(_RET_ERRNO | errno.ENOSYS)
    a.label("kill")
    a.ret(_RET_KILL_PROCESS)
    return a.assemble()


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def install_filter(program: bytes) -> None:
    """Install ``program`` on the calling thread (requires ``no_new_privs`` or CAP_SYS_ADMIN)."""
    buf = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    check(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0), "seccomp filter")
