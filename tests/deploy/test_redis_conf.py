"""deploy/redis/redis.conf on a real redis-server: TLS only, the password required, AOF on, no
eviction; the gateway's own Redis client reaches it with the settings' rediss:// URL and CA file."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deploy.refs import DEPLOY
from voxray.settings import load_settings
from voxray.store import Store

CONF = DEPLOY / "redis" / "redis.conf"
ETC = "/etc/voxray/redis/"
PASSWORD = "d1f0c2b7a9e84c5b"


def _write_pem(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def make_certs(tmp: Path) -> None:
    """A CA and a server certificate for 127.0.0.1 signed by it."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "voxray test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "redis")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write_pem(tmp / "ca.crt", ca.public_bytes(serialization.Encoding.PEM))
    _write_pem(tmp / "redis.crt", cert.public_bytes(serialization.Encoding.PEM))
    _write_pem(tmp / "redis.key", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    tmp = tmp_path_factory.mktemp("redis")
    make_certs(tmp)
    (tmp / "auth.conf").write_text(f"requirepass {PASSWORD}\n")
    (tmp / "data").mkdir()
    port = free_port()
    # The shipped file, with its /etc and /var paths moved here and its TLS port on a free one.
    text = CONF.read_text().replace(ETC, f"{tmp}/").replace("/var/lib/voxray-redis", str(tmp / "data"))
    text = text.replace("tls-port 6380", f"tls-port {port}").replace("bind 0.0.0.0", "bind 127.0.0.1")
    (tmp / "redis.conf").write_text(text)
    proc = subprocess.Popen(["redis-server", str(tmp / "redis.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            assert proc.poll() is None, "redis-server refused deploy/redis/redis.conf"
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        yield port, tmp
    finally:
        proc.terminate()
        proc.wait(10)


def tls_client(port: int, tmp: Path, password: str | None) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(tmp / "ca.crt"), password=password,
                       retry=Retry(NoBackoff(), 0), socket_timeout=5)


def test_password_and_tls_are_required(server: tuple[int, Path]) -> None:
    port, tmp = server
    with pytest.raises(redis.AuthenticationError):
        tls_client(port, tmp, "wrong").ping()
    with pytest.raises(redis.AuthenticationError):  # no password at all: refused too
        tls_client(port, tmp, None).ping()
    with socket.create_connection(("127.0.0.1", port), 2) as plain:  # plain TCP on the TLS port: no answer
        plain.settimeout(2)
        plain.sendall(f"AUTH {PASSWORD}\r\nPING\r\n".encode())
        try:
            answer = plain.recv(100)
        except (TimeoutError, ConnectionResetError):
            answer = b""
        assert b"PONG" not in answer and b"+OK" not in answer
    ok = tls_client(port, tmp, PASSWORD)
    assert ok.config_get("appendonly") == {"appendonly": "yes"}
    assert ok.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    assert ok.config_get("port") == {"port": "0"}
    ok.close()


async def test_settings_rediss_url_reaches_it(server: tuple[int, Path]) -> None:
    port, tmp = server
    settings = load_settings(redis_url=f"rediss://:{PASSWORD}@127.0.0.1:{port}/0", redis_ca_file=tmp / "ca.crt")
    assert settings.redis_url
    store = Store.from_url(settings.redis_url, "deploytest")
    try:
        assert await store.ping() >= 0
    finally:
        await store.close()
    # The AOF is written where the config says.
    assert any((tmp / "data").rglob("*.aof"))
