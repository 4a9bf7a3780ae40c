"""TLS for the gateway <-> session actor media link, keyed by one cluster secret.

Caller audio and the per-call link key cross the cluster network on this link. With
``VOXRAY_MEDIA_LINK_KEY`` set, every session actor serves TLS 1.3 with an EC P-256 key derived
from that secret (HKDF), in a self-signed certificate made at start; gateways pin the public key
derived from the same secret. Only holders of the cluster key can read the link or pose as an
actor; the per-call link key in HELLO then proves the gateway to the actor. No CA, no files to
distribute: the one secret is the trust anchor.
"""

from __future__ import annotations

import datetime as dt
import os
import ssl
import tempfile
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
HANDSHAKE_TIMEOUT_S = 5.0


class LinkPeerRejected(Exception):
    """The actor's certificate does not carry the cluster's key."""


def _derived_key(cluster_key: str) -> ec.EllipticCurvePrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"voxray-media-link",
                info=b"ec-p256-v1").derive(cluster_key.encode())
    return ec.derive_private_key(int.from_bytes(seed, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1())


@lru_cache(maxsize=4)
def pinned_public_key(cluster_key: str) -> bytes:
    return _derived_key(cluster_key).public_key().public_bytes(serialization.Encoding.DER,
                                                               serialization.PublicFormat.SubjectPublicKeyInfo)


def server_context(cluster_key: str) -> ssl.SSLContext:
    """The actor's side: a certificate made now for the derived key (files exist only while loading)."""
    key = _derived_key(cluster_key)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "voxray-media-link")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    with tempfile.TemporaryDirectory(prefix="voxray-link-") as tmp:
        os.chmod(tmp, 0o700)
        cert_path, key_path = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        with open(cert_path, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        ctx.load_cert_chain(cert_path, key_path)
    return ctx


@lru_cache(maxsize=1)
def client_context() -> ssl.SSLContext:
    """The gateway's side: TLS 1.3; the peer is checked by its pinned key, not by a CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # verified below against the cluster key instead
    return ctx


def check_peer(ssl_object: ssl.SSLObject | ssl.SSLSocket | None, cluster_key: str) -> None:
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    if not der:
        raise LinkPeerRejected("no certificate")
    spki = x509.load_der_x509_certificate(der).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if spki != pinned_public_key(cluster_key):
        raise LinkPeerRejected("certificate is not the cluster's")
