"""Small helpers for scripts/az-oracle.sh. Run with the oracle venv's Python
(it needs pyca `cryptography`, which azure-cli-core pulls in).

    blobcheck.py shape CERT BLOB [BLOB...] [--loose-ek REF...]
        Every BLOB must be a restore blob written exactly the way
        `az keyvault security-domain restore-blob` writes one: Python's default
        json.dumps formatting (", " and ": ", ASCII, no trailing newline), keys
        EncData{data[{compact_jwe, tag}], kdf="sp108_kdf"}, WrappedKey{enc_key,
        x5t_256}, and WrappedKey.x5t_256 = base64url(SHA-256(DER of CERT)).
        Then the blobs are compared with each other after every JWE string is
        replaced by its decoded protected header plus the length of each of its
        five parts, so random keys and IVs do not matter but layout, headers,
        key order, separators and sizes do. A REF (after --loose-ek) is a blob
        made for a different exchange key (or a {"value": ...} upload body):
        it is compared the same way except that WrappedKey is only checked for
        its header and key order, not its lengths or thumbprint.
    blobcheck.py expect DIR TAG=SIZE:SHA256PREFIX ...
        DIR holds exactly the files <TAG>.bin listed, with those sizes and
        SHA-256 prefixes. Never prints plaintext.
    blobcheck.py der CERT.pem OUT.der
        Converts a PEM certificate to DER.
    blobcheck.py tamper SD OUT
        Copies SD with one bit of the authentication tag of EncData.data[0]
        flipped (the first character of the tag part, so the change is not in
        the unused low bits of the last base64url character).

Exit status 0 when everything holds; 1 with one line on stderr saying what
did not.
"""

import base64
import hashlib
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


class Mismatch(Exception):
    pass


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def thumbprint(cert_path):
    with open(cert_path, "rb") as f:
        data = f.read()
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        cert = x509.load_der_x509_certificate(data)
    der = cert.public_bytes(Encoding.DER)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")


def jwe_shape(value, where):
    if not isinstance(value, str):
        raise Mismatch(f"{where}: not a string")
    parts = value.split(".")
    if len(parts) != 5:
        raise Mismatch(f"{where}: JWE has {len(parts)} parts, not 5")
    for p in parts:
        if "=" in p or "+" in p or "/" in p:
            raise Mismatch(f"{where}: JWE part is not unpadded base64url")
    header = b64url_decode(parts[0]).decode("ascii")
    return "<JWE " + header + " " + "/".join(str(len(p)) for p in parts) + ">"


def expect_keys(obj, keys, where):
    if not isinstance(obj, dict) or list(obj.keys()) != keys:
        got = list(obj.keys()) if isinstance(obj, dict) else type(obj).__name__
        raise Mismatch(f"{where}: keys {got}, expected {keys}")


def load_blob(path, allow_wrapper):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise Mismatch(f"{path}: not ASCII")
    obj = json.loads(text)
    if allow_wrapper and isinstance(obj, dict) and list(obj.keys()) == ["value"]:
        text = obj["value"]
        obj = json.loads(text)
    if json.dumps(obj) != text:
        raise Mismatch(
            f"{path}: not in Python's default json.dumps format "
            "(separators ', ' / ': ', key order, no trailing newline)"
        )
    return obj


def shape(obj, path, loose_ek):
    expect_keys(obj, ["EncData", "WrappedKey"], f"{path}: top level")
    enc = obj["EncData"]
    expect_keys(enc, ["data", "kdf"], f"{path}: EncData")
    if enc["kdf"] != "sp108_kdf":
        raise Mismatch(f"{path}: EncData.kdf is {enc['kdf']!r}")
    data = []
    for i, item in enumerate(enc["data"]):
        expect_keys(item, ["compact_jwe", "tag"], f"{path}: EncData.data[{i}]")
        s = jwe_shape(item["compact_jwe"], f"{path}: EncData.data[{i}].compact_jwe")
        want = json.dumps({"alg": "dir", "enc": "A256CBC-HS512", "kid": item["tag"]}, separators=(",", ":"))
        if not s.startswith("<JWE " + want + " "):
            raise Mismatch(f"{path}: EncData.data[{i}] header is not {want}")
        data.append({"compact_jwe": s, "tag": item["tag"]})
    wk = obj["WrappedKey"]
    expect_keys(wk, ["enc_key", "x5t_256"], f"{path}: WrappedKey")
    ek = jwe_shape(wk["enc_key"], f"{path}: WrappedKey.enc_key")
    want = '<JWE {"alg":"RSA-OAEP-256","enc":"A256CBC-HS512","kid":"not used"} '
    if not ek.startswith(want):
        raise Mismatch(f"{path}: WrappedKey.enc_key header is {ek}")
    if loose_ek:
        ek = "<wrapped key for another exchange key>"
        x5t = "<thumbprint of another exchange key>"
    else:
        x5t = wk["x5t_256"]
    return json.dumps({"EncData": {"data": data, "kdf": enc["kdf"]}, "WrappedKey": {"enc_key": ek, "x5t_256": x5t}})


def cmd_shape(args):
    cert, rest = args[0], args[1:]
    blobs, refs = rest, []
    if "--loose-ek" in rest:
        i = rest.index("--loose-ek")
        blobs, refs = rest[:i], rest[i + 1 :]
    if not blobs:
        raise Mismatch("shape: no blobs given")
    want_x5t = thumbprint(cert)
    shapes = []
    for path in blobs:
        obj = load_blob(path, allow_wrapper=False)
        if obj.get("WrappedKey", {}).get("x5t_256") != want_x5t:
            raise Mismatch(f"{path}: WrappedKey.x5t_256 is not the thumbprint of {cert} ({want_x5t})")
        shapes.append((path, shape(obj, path, False)))
    for path, s in shapes[1:]:
        if s != shapes[0][1]:
            raise Mismatch(f"shape of {path} differs from {shapes[0][0]}:\n  {s}\n  {shapes[0][1]}")
    loose0 = shape(load_blob(blobs[0], False), blobs[0], True)
    for path in refs:
        s = shape(load_blob(path, allow_wrapper=True), path, True)
        if s != loose0:
            raise Mismatch(f"shape of {path} differs from {blobs[0]}:\n  {s}\n  {loose0}")


def cmd_expect(args):
    import os

    d, specs = args[0], args[1:]
    want = {}
    for spec in specs:
        tag, rest = spec.split("=", 1)
        size, prefix = rest.split(":", 1)
        want[tag + ".bin"] = (int(size), prefix)
    got = sorted(os.listdir(d))
    if got != sorted(want):
        raise Mismatch(f"{d}: files {got}, expected {sorted(want)}")
    for name, (size, prefix) in want.items():
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        if len(data) != size:
            raise Mismatch(f"{d}/{name}: {len(data)} bytes, expected {size}")
        if not hashlib.sha256(data).hexdigest().startswith(prefix):
            raise Mismatch(f"{d}/{name}: SHA-256 does not start with {prefix}")


def cmd_der(args):
    with open(args[0], "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(args[1], "wb") as f:
        f.write(cert.public_bytes(Encoding.DER))


def cmd_tamper(args):
    with open(args[0], "rb") as f:
        sd = json.loads(f.read())
    item = sd["EncData"]["data"][0]
    parts = item["compact_jwe"].split(".")
    parts[4] = ("B" if parts[4][0] == "A" else "A") + parts[4][1:]
    item["compact_jwe"] = ".".join(parts)
    with open(args[1], "w") as f:
        f.write(json.dumps(sd, separators=(",", ":")))


def main():
    cmds = {"shape": cmd_shape, "expect": cmd_expect, "der": cmd_der, "tamper": cmd_tamper}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        cmds[sys.argv[1]](sys.argv[2:])
    except (Mismatch, ValueError, KeyError, OSError) as e:
        print(f"blobcheck {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
