"""Reads sdkit's output with pyca `cryptography`, the library `az keyvault
security-domain` itself uses, and reports what it saw as one JSON object.

Used by crates/sdkit-certs/tests/it/interop_python.rs; run it with the venv
that scripts/interop/ensure-venv.sh prepares.

    pyca_check.py version
    pyca_check.py key KEY.pem PASSWORD_FILE         # PASSWORD_FILE "-" = no password
    pyca_check.py cert CERT.pem
    pyca_check.py decrypt KEY.pem PASSWORD_FILE CIPHERTEXT.bin

Exit status 0 with {"ok": true, ...} on success; 1 with {"ok": false,
"error": "<exception class>: <message>"} when pyca refuses the input.
"""

import json
import sys

import cryptography
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def load_key(path, password_file):
    password = None
    if password_file != "-":
        with open(password_file, "rb") as f:
            password = f.read()
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=password)


def cmd_version():
    return {"version": cryptography.__version__}


def cmd_key(path, password_file):
    key = load_key(path, password_file)
    return {"bits": key.key_size, "n_hex": format(key.public_key().public_numbers().n, "x")}


def cmd_cert(path):
    with open(path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    method1 = x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    return {
        "sha256_hex": cert.fingerprint(hashes.SHA256()).hex(),
        "subject": cert.subject.rfc4514_string(),
        "version": cert.version.name,
        "serial_hex": format(cert.serial_number, "X"),
        "signature_hash": cert.signature_hash_algorithm.name,
        "key_usage": {
            "critical": ku.critical,
            "key_encipherment": ku.value.key_encipherment,
            "data_encipherment": ku.value.data_encipherment,
            "digital_signature": ku.value.digital_signature,
            "key_cert_sign": ku.value.key_cert_sign,
        },
        "basic_constraints": {"critical": bc.critical, "ca": bc.value.ca},
        "ski_critical": ski.critical,
        "ski_is_rfc5280_method1": ski.value.digest == method1.digest,
    }


def cmd_decrypt(path, password_file, ciphertext_path):
    key = load_key(path, password_file)
    with open(ciphertext_path, "rb") as f:
        ciphertext = f.read()
    oaep = padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
    )
    return {"plaintext_hex": key.decrypt(ciphertext, oaep).hex()}


COMMANDS = {"version": cmd_version, "key": cmd_key, "cert": cmd_cert, "decrypt": cmd_decrypt}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        result = COMMANDS[argv[1]](*argv[2:])
    except (ValueError, TypeError, UnsupportedAlgorithm, x509.ExtensionNotFound) as e:
        # Never the passphrase or key bytes: pyca's messages describe the failure only.
        print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}))
        return 1
    print(json.dumps({"ok": True, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
