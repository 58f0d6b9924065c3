"""Network proxy speed: CONNECT setups per second and tunnel throughput vs a direct connection.

Run: ``uv run python benchmarks/proxy.py [--mb 512] [--seconds 3] [--concurrency 16]``

The origin server, the proxy and the client each run in their own process (no shared GIL), all
on loopback. Budget: tunnel throughput >= 50% of direct; >= 1,000 CONNECT setups per second.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import socket
import time
from multiprocessing.connection import Connection

CHUNK = 1 << 20


def _origin(conn: Connection) -> None:
    """Origin: ``<n>\\n`` -> send n bytes and close; a bare close -> close."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            if line:
                remaining = int(line)
                block = b"\0" * CHUNK
                while remaining > 0:
                    n = min(remaining, CHUNK)
                    writer.write(block[:n])
                    await writer.drain()
                    remaining -= n
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        conn.send(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


def _proxy(conn: Connection) -> None:
    from codex_core.network import EffectiveNetwork, start_network_proxy

    async def main() -> None:
        net = EffectiveNetwork.from_maps({"127.0.0.1": "allow"})
        async with start_network_proxy(net) as proxy:
            conn.send(proxy.http_port)
            await asyncio.Event().wait()

    asyncio.run(main())


def _open(port: int, via_proxy: int | None) -> socket.socket:
    if via_proxy is None:
        return socket.create_connection(("127.0.0.1", port))
    s = socket.create_connection(("127.0.0.1", via_proxy))
    s.sendall(f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        data = s.recv(4096)
        if not data:
            raise RuntimeError("proxy closed the connection")
        head += data
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.decode(errors="replace"))
    return s


def throughput(port: int, via_proxy: int | None, total: int) -> float:
    """MB/s for one stream of ``total`` bytes."""
    s = _open(port, via_proxy)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * CHUNK)
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    start = time.perf_counter()
    s.sendall(f"{total}\n".encode())
    got = 0
    while got < total:
        n = s.recv_into(view)
        if n == 0:
            break
        got += n
    elapsed = time.perf_counter() - start
    s.close()
    if got != total:
        raise RuntimeError(f"short read: {got} of {total}")
    return total / elapsed / 1e6


async def _setups(port: int, via_proxy: int | None, seconds: float, concurrency: int) -> float:
    request = f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    count = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            if via_proxy is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            else:
                reader, writer = await asyncio.open_connection("127.0.0.1", via_proxy)
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head.decode(errors="replace"))
            writer.close()
            await writer.wait_closed()
            count += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


def _spawn(target: object) -> tuple[mp.Process, int]:
    parent, child = mp.Pipe()
    proc = mp.Process(target=target, args=(child,), daemon=True)
    proc.start()
    return proc, int(parent.recv())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=int, default=512, help="bytes per throughput stream, in MB")
    ap.add_argument("--seconds", type=float, default=3.0, help="duration of each setup-rate run")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=5, help="throughput rounds (best of each is reported)")
    args = ap.parse_args()
    origin, origin_port = _spawn(_origin)
    proxy, proxy_port = _spawn(_proxy)
    try:
        total = args.mb * 1_000_000
        throughput(origin_port, proxy_port, 10_000_000)  # warm-up
        direct_runs: list[float] = []
        tunnel_runs: list[float] = []
        for _ in range(args.rounds):  # interleaved, so load changes on the machine hit both alike
            direct_runs.append(throughput(origin_port, None, total))
            tunnel_runs.append(throughput(origin_port, proxy_port, total))
        direct, tunnel = max(direct_runs), max(tunnel_runs)
        direct_rate = asyncio.run(_setups(origin_port, None, args.seconds, args.concurrency))
        connect_rate = asyncio.run(_setups(origin_port, proxy_port, args.seconds, args.concurrency))
    finally:
        for p in (origin, proxy):
            p.terminate()
            p.join()
    ratio = tunnel / direct
    print(f"throughput direct        : {direct:10.1f} MB/s  (runs: {', '.join(f'{r:.0f}' for r in direct_runs)})")
    print(f"throughput CONNECT tunnel: {tunnel:10.1f} MB/s  ({ratio:.0%} of direct; budget >= 50%)")
    print(f"                            (runs: {', '.join(f'{r:.0f}' for r in tunnel_runs)})")
    print(f"TCP connects direct      : {direct_rate:10.0f} /s")
    print(f"CONNECT setups via proxy : {connect_rate:10.0f} /s  (budget >= 1000/s)")
    ok = ratio >= 0.5 and connect_rate >= 1000
    print("budget:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
