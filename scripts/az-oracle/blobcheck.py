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
    blobcheck.py reshared OLD NEW QUORUM CERT...
        NEW is OLD moved to new custodians (`sdkit reshare`): the same JSON
        format (compact, key order at every level), version, kdf and
        key_algorithm; the same items (tags in the same order, each JWE with
        the same header and part lengths); SharedKeys.required = QUORUM and
        one share per CERT, in order, each with that certificate's
        thumbprint and a share JWE header with OLD's alg and enc. And fresh:
        no IV, ciphertext or tag of NEW's items or shares and no share
        thumbprint appears in OLD.
    blobcheck.py drill-report REPORT no-share|other-contents
        REPORT is the stdout of a failed `sdkit --json drill` that failed for
        the stated reason, not another: no-share, exit 4 with every key's
        status "no_share" and no item opened (the keys open nothing in the
        SD); other-contents, exit 1 from --same-contents-as with a
        difference named for every item.

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


def key_order(obj):
    """obj's structure: its keys in order at every level, values elided."""
    if isinstance(obj, dict):
        return {k: key_order(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [key_order(v) for v in obj[:1]]
    return None


def jwe_parts(value, where):
    parts = value.split(".")
    if len(parts) != 5:
        raise Mismatch(f"{where}: JWE has {len(parts)} parts, not 5")
    return json.loads(b64url_decode(parts[0])), parts


def cmd_reshared(args):
    old_path, new_path, quorum, certs = args[0], args[1], int(args[2]), args[3:]
    docs = []
    for path in (old_path, new_path):
        with open(path, "rb") as f:
            text = f.read().decode("ascii")
        obj = json.loads(text)
        if json.dumps(obj, separators=(",", ":")) != text:
            raise Mismatch(f"{path}: not compact JSON (separators ',' / ':', no whitespace)")
        docs.append(obj)
    old, new = docs
    if key_order(new) != key_order(old):
        raise Mismatch(f"{new_path}: key order {key_order(new)}, {old_path} has {key_order(old)}")
    for where, a, b in [
        ("version", old["version"], new["version"]),
        ("EncData.kdf", old["EncData"]["kdf"], new["EncData"]["kdf"]),
        ("SharedKeys.key_algorithm", old["SharedKeys"]["key_algorithm"], new["SharedKeys"]["key_algorithm"]),
    ]:
        if a != b:
            raise Mismatch(f"{new_path}: {where} is {b!r}, {old_path} has {a!r}")
    old_items, new_items = old["EncData"]["data"], new["EncData"]["data"]
    old_tags, new_tags = [i["tag"] for i in old_items], [i["tag"] for i in new_items]
    if new_tags != old_tags:
        raise Mismatch(f"{new_path}: item tags {new_tags}, {old_path} has {old_tags}")
    old_random = set()
    for i, item in enumerate(old_items):
        old_random.update(p for p in jwe_parts(item["compact_jwe"], f"{old_path}: item {i}")[1][2:] if p)
    for i, share in enumerate(old["SharedKeys"]["enc_shares"]):
        old_random.update(p for p in jwe_parts(share["enc_key"], f"{old_path}: share {i}")[1][1:] if p)
    for i, (o, n) in enumerate(zip(old_items, new_items)):
        where = f"{new_path}: EncData.data[{i}] ({n['tag']})"
        old_header, old_parts = jwe_parts(o["compact_jwe"], where)
        new_header, new_parts = jwe_parts(n["compact_jwe"], where)
        old_lens, new_lens = [len(p) for p in old_parts], [len(p) for p in new_parts]
        if new_header != old_header or new_lens != old_lens:
            raise Mismatch(f"{where}: header {new_header} and part lengths {new_lens}, "
                           f"{old_path} has {old_header} and {old_lens}")
        if any(p in old_random for p in new_parts[2:] if p):
            raise Mismatch(f"{where}: reuses an IV, ciphertext or tag of {old_path}")
    shared = new["SharedKeys"]
    if shared["required"] != quorum:
        raise Mismatch(f"{new_path}: SharedKeys.required is {shared['required']}, not {quorum}")
    shares = shared["enc_shares"]
    if len(shares) != len(certs):
        raise Mismatch(f"{new_path}: {len(shares)} shares for {len(certs)} certificates")
    old_x5t = {s["x5t_256"] for s in old["SharedKeys"]["enc_shares"]}
    want_alg = {k: v for k, v in jwe_parts(old["SharedKeys"]["enc_shares"][0]["enc_key"], old_path)[0].items() if k != "kid"}
    for i, (share, cert) in enumerate(zip(shares, certs)):
        where = f"{new_path}: SharedKeys.enc_shares[{i}]"
        if share["x5t_256"] != thumbprint(cert):
            raise Mismatch(f"{where}: x5t_256 is not the thumbprint of {cert}")
        if share["x5t_256"] in old_x5t:
            raise Mismatch(f"{where}: x5t_256 is one of {old_path}'s custodians")
        header, parts = jwe_parts(share["enc_key"], where)
        if {k: v for k, v in header.items() if k != "kid"} != want_alg:
            raise Mismatch(f"{where}: header {header}, expected {want_alg} (and a kid)")
        if any(p in old_random for p in parts[1:] if p):
            raise Mismatch(f"{where}: reuses a part of a JWE of {old_path}")


def cmd_drill_report(args):
    path, want = args
    with open(path, "rb") as f:
        report = json.loads(f.read())
    if report.get("command") != "drill" or report.get("ok") is not False:
        raise Mismatch(f"{path}: not a failed drill report (command {report.get('command')!r}, ok {report.get('ok')!r})")
    code = (report.get("error") or {}).get("exit_code")
    if want == "no-share":
        if code != 4:
            raise Mismatch(f"{path}: error.exit_code is {code}, not 4 (no quorum)")
        opened = [h["key"] for h in report["holders"] if h["status"] != "no_share"]
        if opened or not report["holders"]:
            raise Mismatch(f"{path}: keys that open something: {opened or 'no keys at all'}")
        if report["items"]:
            raise Mismatch(f"{path}: items were opened: {[i['tag'] for i in report['items']]}")
    elif want == "other-contents":
        if code != 1:
            raise Mismatch(f"{path}: error.exit_code is {code}, not 1 (a check did not hold)")
        same = report.get("same_contents_as") or {}
        diffs = same.get("differences", [])
        tags = [i["tag"] for i in report["items"]]
        missing = [t for t in tags if not any(f'"{t}"' in d for d in diffs)]
        if same.get("same") is not False or not tags or missing:
            raise Mismatch(f"{path}: same_contents_as {same}: expected a difference for every item {tags}")
    else:
        raise Mismatch(f"drill-report: unknown expectation {want!r}")


def main():
    cmds = {"shape": cmd_shape, "expect": cmd_expect, "der": cmd_der, "tamper": cmd_tamper,
            "reshared": cmd_reshared, "drill-report": cmd_drill_report}
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
