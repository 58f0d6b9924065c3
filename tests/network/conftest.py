"""Real local HTTP/HTTPS origin servers and a curl runner for the network proxy tests."""

from __future__ import annotations

import asyncio
import datetime
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import attrs
import pytest


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello {self.headers.get('Host')} {self.path}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(n)
        body = b"echo " + data
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "codex-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@attrs.frozen
class Origins:
    http_port: int
    https_port: int


@pytest.fixture(scope="session")
def origins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Origins]:
    """A plain HTTP and a TLS (self-signed) origin server on 127.0.0.1."""
    http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    https = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    https.socket = ctx.wrap_socket(https.socket, server_side=True)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (http, https)]
    for t in threads:
        t.start()
    yield Origins(http.server_address[1], https.server_address[1])
    for s in (http, https):
        s.shutdown()
        s.server_close()


@attrs.frozen
class CurlResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def status(self) -> int | None:
        for line in self.stdout.splitlines():
            if line.startswith("HTTP/") and " 200 Connection established" not in line:
                return int(line.split()[1])
        return None

    def header(self, name: str) -> str | None:
        for line in self.stdout.splitlines():
            k, sep, v = line.partition(":")
            if sep and k.strip().lower() == name.lower():
                return v.strip()
        return None


async def curl(*args: str, env: dict[str, str] | None = None, timeout: float = 20) -> CurlResult:
    """Run the real curl (headers included in stdout) without blocking the event loop."""
    proc = await asyncio.create_subprocess_exec(
        "curl",
        "-sS",
        "-i",
        "--max-time",
        "10",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return CurlResult(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))
