"""The lab's certificate authority and the per-host TLS certificates of the WS-Man HTTPS listeners.

One CA (EC P-256, self-signed) signs one certificate per host: the host name as common name, the host IP
(and the host name) as subject alternative names.  Clients trust the lab by pointing ``ca_trust_path`` at
the CA file :meth:`LabCA.write_ca` writes.  EC keys keep generation cheap: a few hundred hosts take well
under a second.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_VALIDITY = datetime.timedelta(days=30)
_BACKDATE = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class HostCertificate:
    """A host's certificate and key, and what the server needs for channel binding."""

    name: str
    ip: str
    cert_pem: bytes
    key_pem: bytes
    cert_der: bytes

    def tls_server_end_point(self) -> bytes:
        """The RFC 5929 ``tls-server-end-point`` hash of the certificate, as NTLM channel binding uses it."""
        cert = x509.load_der_x509_certificate(self.cert_der)
        algorithm = cert.signature_hash_algorithm
        if algorithm is None or algorithm.name in ("md5", "sha1"):
            algorithm = hashes.SHA256()
        digest = hashes.Hash(algorithm)
        digest.update(self.cert_der)
        return digest.finalize()

    def write(self, directory: Path) -> Path:
        """Write certificate and key into one PEM file (0600) and return its path."""
        path = directory / f"{self.name}-{self.ip}.pem"
        path.write_bytes(self.cert_pem + self.key_pem)
        path.chmod(0o600)
        return path

    def server_context(self, directory: Path) -> ssl.SSLContext:
        """A TLS server context presenting this certificate."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.write(directory))
        return ctx


class LabCA:
    """A throw-away certificate authority for one lab run."""

    def __init__(self, common_name: str = "Legacy IIS Lab CA") -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _BACKDATE)
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self._ski = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write_ca(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.pem)
        return path

    def issue(self, name: str, ip: str) -> HostCertificate:
        """Issue a server certificate for host ``name`` reachable at ``ip``."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        san = [x509.IPAddress(ipaddress.ip_address(ip)), x509.DNSName(name.lower())]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _BACKDATE)
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(self._ski), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        return HostCertificate(
            name=name,
            ip=ip,
            cert_pem=cert.public_bytes(serialization.Encoding.PEM),
            key_pem=key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
            cert_der=cert.public_bytes(serialization.Encoding.DER),
        )
