"""A self-signed certificate for localhost, for development: Office loads add-ins only over HTTPS.

Made with the ``cryptography`` package (Apache-2.0/BSD). Trust it once in the operating system
(or the browser for Excel on the web) so Excel accepts ``https://localhost:<port>``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pyfuncs.fileio import write_bytes_atomic

CERT_NAME = "localhost.pem"
KEY_NAME = "localhost-key.pem"


def make_dev_certificate(out_dir: Path, days: int = 825) -> tuple[Path, Path]:
    """Write a self-signed certificate and key for localhost/127.0.0.1/::1 into ``out_dir``.

    825 days is the longest validity Apple platforms accept for a TLS server certificate. The
    key file is written readable by its owner only.

    Returns
    -------
    (certfile, keyfile)
    """
    out_dir = Path(out_dir)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gpucredit development"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = out_dir / CERT_NAME, out_dir / KEY_NAME
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 (os.open with that mode, in mkstemp): never readable by others, not even
    # between its creation and its rename into place.
    write_bytes_atomic(keyfile, key_pem, mode=0o600)
    write_bytes_atomic(certfile, cert.public_bytes(serialization.Encoding.PEM))
    return certfile, keyfile
