"""The `az` commands sdkit documents or prints, put through az's own argument
parser (scripts/az-oracle.sh, section "az commands"). Run with the oracle
venv's Python.

    azcommands.py extract docs REPO
        Commands in REPO/README.md and REPO/docs/*.md: lines of fenced code
        blocks that start with `az ` (joined over trailing backslashes) and
        inline code spans that start with `az ` (which may wrap over lines).
    azcommands.py extract rust REPO
        Commands in the string literals and doc comments (/// and //!, which
        clap prints as --help) of REPO/crates/*/src/**/*.rs, outside
        #[cfg(test)] items; in literals, as for printed text below. Format
        placeholders ({}, {name}, {0:?}) become the file name
        restore-blob.json.
    azcommands.py extract printed LABEL=FILE...
        Commands in the text sdkit printed (FILE holds a captured stdout or
        stderr): inline code spans that start with `az `; outside them, an
        `az ` that starts a line or an `az keyvault ` anywhere, to the end
        of the line (with the deeper-indented lines that continue it).
      Each extract prints one `SOURCE<TAB>COMMAND` line per command found,
      and on stderr every `az` mention it skipped and why. A mention counts
      as a command only if it has at least one option (-x or --xyz) and no
      `...`/`…`: "`az ... restore-blob`" or a bare
      "`az keyvault security-domain download`" in a sentence name a command,
      they are not commands to run.

    azcommands.py check CACHE_DIR SOURCE COMMAND
        Runs COMMAND (as written in SOURCE) through the real az and says
        whether az accepted its arguments. Placeholders in angle brackets
        become contoso-hsm (or 2 when they name a number: <M>, <quorum>, ...);
        the line is split the way a POSIX shell would (quotes, # comments) and
        cut at the first |, ;, &, <, > or parenthesis. Identical commands are
        run once per CACHE_DIR. Exit 0 when az accepted the arguments.

    azcommands.py seed-config DIR
        Writes DIR/versionCheck.json (see seed_version_check) so that az runs
        with AZURE_CONFIG_DIR=DIR do not ask the network for a newer CLI.

    azcommands.py run-az ARG...
        (internal) az itself, as `az ARG...`, with the guards described at
        run_az().
"""

import datetime
import glob
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

# What az 2.91.0 prints when a command got through argument parsing and its
# validators but there is no login (azure.cli.core._profile._AZ_LOGIN_MESSAGE,
# raised from the data-plane client factory, i.e. inside the handler).
LOGIN_MESSAGE = "Please run 'az login' to setup account."
# Printed by run-az on stderr when az calls the command's handler: every
# argument has been parsed and validated by then.
MARK_PARSED = "az-oracle: az accepted the arguments and called the handler of"
MARK_STOPPED = "az-oracle: offline command, stopped before running it:"
MARK_NETWORK = "az-oracle: NETWORK ACCESS BLOCKED:"
# az commands that need no login (they would run for real on whatever files
# the command names, so run-az stops them at their handler instead).
OFFLINE_COMMANDS = {"keyvault security-domain restore-blob"}
TIMEOUT_S = 30
DUMMY_NAME = "contoso-hsm"
DUMMY_NUMBER = "2"
FORMAT_ARG_FILE = "restore-blob.json"

# Outside code spans, a command is an `az ` that starts a line (sdkit prints
# commands to copy on a line of their own) or an `az keyvault ` anywhere
# ("Upload it with: az keyvault ..."); "az restore-blob accepts it only when
# M is 2..10" or "az would match the wrong share" in a sentence are prose.
AZ_START = re.compile(r"^[ \t]*\$?[ \t]*(az (?=[a-z]))|(?<![\w./-])(az keyvault )", re.M)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


# ---------------------------------------------------------------- extraction
def classify_mention(cmd):
    """None if cmd is a command to check, else why it is skipped."""
    if "..." in cmd or "\u2026" in cmd:
        return "has '...'"
    if not any(re.match(r"--?[A-Za-z]", t) for t in cmd.split()[1:]):
        return "no option: names a command"
    return None


def emit(found, skipped, source, cmd):
    cmd = " ".join(cmd.split())
    why = classify_mention(cmd)
    if why:
        skipped.append((source, cmd, why))
    else:
        found.append((source, cmd))


def spans(text, first_line, lines_of=None):
    """(line, content) of every inline code span in text; content with
    whitespace runs (line breaks included) collapsed to one space."""
    for m in CODE_SPAN.finditer(text):
        content = " ".join(m.group(2).split())
        if lines_of is not None:
            line = lines_of[m.start(2)]
        else:
            line = first_line + text.count("\n", 0, m.start(2))
        yield line, content, m.start(), m.end()


def extract_markdown(path, rel, found, skipped):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    fence = None
    para = []  # (line number, text) of the current paragraph

    def flush():
        if para:
            text = "\n".join(t for _, t in para)
            for line, content, _, _ in spans(text, para[0][0]):
                if content.startswith("az "):
                    emit(found, skipped, f"{rel}:{line}", content)
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if fence is None:
            m = re.match(r"\s*(`{3,}|~{3,})", line)
            if m:
                flush()
                fence = m.group(1)
            elif not stripped:
                flush()
            else:
                para.append((i + 1, line))
            i += 1
            continue
        if re.fullmatch(re.escape(fence[0]) + "{%d,}" % len(fence), stripped):
            fence = None
            i += 1
            continue
        code = re.sub(r"^\$\s+", "", stripped)
        if code.startswith("az "):
            start = i
            parts = [code]
            while parts[-1].endswith("\\") and i + 1 < len(lines):
                parts[-1] = parts[-1][:-1]
                i += 1
                parts.append(lines[i].strip())
            emit(found, skipped, f"{rel}:{start + 1}", " ".join(parts))
        i += 1
    flush()


def extract_docs(repo):
    found, skipped = [], []
    for rel in ["README.md"] + sorted(os.path.relpath(p, repo) for p in glob.glob(os.path.join(repo, "docs", "*.md"))):
        extract_markdown(os.path.join(repo, rel), rel, found, skipped)
    return found, skipped


RUST_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}
CFG_TEST = re.compile(r"#(!?)\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]")


def rust_tokens(src):
    """Tokens of a Rust source, just enough to find string literals and doc
    comments and to skip #[cfg(test)] items: (kind, line, value) with kind
    str (value: (text, line of each char)), doc (value: text), cfgtest
    (value: True for #![cfg(test)]), open, close, semi."""
    i, n, line = 0, len(src), 1
    out = []
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif src.startswith("//", i):
            end = src.find("\n", i)
            end = n if end < 0 else end
            text = src[i:end]
            if (text.startswith("///") and not text.startswith("////")) or text.startswith("//!"):
                body = text[3:]
                out.append(("doc", line, body[1:] if body.startswith(" ") else body))
            i = end
        elif src.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += src[i] == "\n"
                    i += 1
        elif c in "rb" and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")) and \
                re.match(r"(?:br|rb|r)#*\"", src[i:i + 260]):
            m = re.match(r"(?:br|rb|r)(#*)\"", src[i:])
            close = '"' + m.group(1)
            start = i + m.end()
            end = src.find(close, start)
            end = n if end < 0 else end
            text = src[start:end]
            lines_of = []
            for ch in text:
                lines_of.append(line)
                line += ch == "\n"
            out.append(("str", lines_of[0] if lines_of else line, (text, lines_of)))
            i = end + len(close)
        elif c == '"' or (c == "b" and src.startswith('b"', i) and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_"))):
            i += 1 if c == '"' else 2
            start_line = line
            text, lines_of = [], []
            while i < n and src[i] != '"':
                if src[i] == "\\" and i + 1 < n:
                    e = src[i + 1]
                    if e == "\n":  # line continuation: skip the newline and leading whitespace
                        i += 1
                        while i < n and src[i] in " \t\r\n":
                            line += src[i] == "\n"
                            i += 1
                        continue
                    if e in RUST_ESCAPES:
                        text.append(RUST_ESCAPES[e])
                        i += 2
                    elif e == "u":
                        m = re.match(r"\\u\{([0-9a-fA-F_]+)\}", src[i:])
                        text.append(chr(int(m.group(1).replace("_", ""), 16)) if m else "?")
                        i += m.end() if m else 2
                    elif e == "x":
                        text.append(chr(int(src[i + 2:i + 4], 16)))
                        i += 4
                    else:
                        text.append(e)
                        i += 2
                    lines_of.append(line)
                else:
                    text.append(src[i])
                    lines_of.append(line)
                    line += src[i] == "\n"
                    i += 1
            out.append(("str", start_line, ("".join(text), lines_of)))
            i += 1
        elif c == "'":
            m = re.match(r"'(?:\\(?:u\{[0-9a-fA-F_]+\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'", src[i:])
            i += m.end() if m else 1  # else a lifetime or label
        elif c == "#" and CFG_TEST.match(src, i):
            m = CFG_TEST.match(src, i)
            out.append(("cfgtest", line, m.group(1) == "!"))
            line += src.count("\n", i, m.end())
            i = m.end()
        elif c in "{([":
            out.append(("open", line, c))
            i += 1
        elif c in "})]":
            out.append(("close", line, c))
            i += 1
        elif c == ";":
            out.append(("semi", line, c))
            i += 1
        else:
            i += 1
    return out


def rust_visible(tokens):
    """The str and doc tokens outside #[cfg(test)] items."""
    depth = 0
    skip_at = None  # depth of the skipped item (outer attribute)
    skip_below = None  # inner attribute: skip until the enclosing block ends
    for kind, line, value in tokens:
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if skip_at is not None and depth == skip_at and value == "}":
                skip_at = None
                continue
            if skip_below is not None and depth < skip_below:
                skip_below = None
        elif kind == "semi":
            if skip_at is not None and depth == skip_at:
                skip_at = None
                continue
        elif kind == "cfgtest":
            if value:
                skip_below = depth
            elif skip_at is None:
                skip_at = depth
            continue
        if skip_at is None and skip_below is None and kind in ("str", "doc"):
            yield kind, line, value


def commands_in_text(text, lines_of, source_of, found, skipped):
    """Commands in printed text or a string literal: code spans starting
    with `az `; outside code spans, from an AZ_START to the end of its line,
    plus the lines after it that are indented deeper (sdkit folds long
    lines that way)."""
    taken, cmds = [], []  # cmds: (position, line, command)
    for line, content, s, e in spans(text, None, lines_of):
        if content.startswith("az "):
            cmds.append((s, line, content))
        taken.append((s, e))
    for m in AZ_START.finditer(text):
        start = m.start(1) if m.start(1) >= 0 else m.start(2)
        if any(s <= start < e for s, e in taken):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        indent = len(text[line_start:start]) - len(text[line_start:start].lstrip(" \t"))
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        while end < len(text):
            nxt = text.find("\n", end + 1)
            nxt = len(text) if nxt < 0 else nxt
            following = text[end + 1:nxt]
            if not following.strip() or len(following) - len(following.lstrip(" \t")) <= indent:
                break
            end = nxt
        cmds.append((start, lines_of[start], text[start:end].rstrip(" .,;:")))
    for _, line, cmd in sorted(cmds):
        emit(found, skipped, source_of(line), cmd)


def format_args_to_file(cmd):
    cmd = cmd.replace("{{", "\0").replace("}}", "\1")
    cmd = re.sub(r"\{[^{}]*\}", FORMAT_ARG_FILE, cmd)
    return cmd.replace("\0", "{").replace("\1", "}")


def extract_rust(repo):
    found, skipped = [], []
    paths = sorted(glob.glob(os.path.join(repo, "crates", "*", "src", "**", "*.rs"), recursive=True))
    for path in paths:
        rel = os.path.relpath(path, repo)
        with open(path, encoding="utf-8") as f:
            src = f.read()
        docs = []  # consecutive doc-comment lines: one paragraph each

        def flush_docs():
            if docs:
                paragraph = []
                for dline, dtext in docs + [(None, "")]:
                    if dtext.strip():
                        paragraph.append((dline, dtext))
                        continue
                    if paragraph:
                        text = "\n".join(t for _, t in paragraph)
                        for line, content, _, _ in spans(text, paragraph[0][0]):
                            if content.startswith("az "):
                                emit(found, skipped, f"{rel}:{line}", content)
                        paragraph = []
                docs.clear()

        for kind, line, value in rust_visible(rust_tokens(src)):
            if kind == "doc":
                if docs and docs[-1][0] != line - 1:
                    flush_docs()
                docs.append((line, value))
                continue
            flush_docs()
            text, lines_of = value
            if "az " not in text:
                continue
            f2, s2 = [], []
            commands_in_text(text, lines_of, lambda ln: f"{rel}:{ln}", f2, s2)
            found += [(s, format_args_to_file(c)) for s, c in f2]
            skipped += s2
        flush_docs()
    return found, skipped


def extract_printed(specs):
    found, skipped = [], []
    for spec in specs:
        label, path = spec.split("=", 1)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines_of, line = [], 1
        for ch in text:
            lines_of.append(line)
            line += ch == "\n"
        commands_in_text(text, lines_of, lambda ln, label=label: f"{label}:{ln}", found, skipped)
    return found, skipped


def cmd_extract(args):
    kind, rest = args[0], args[1:]
    if kind == "docs":
        found, skipped = extract_docs(rest[0])
    elif kind == "rust":
        found, skipped = extract_rust(rest[0])
    elif kind == "printed":
        found, skipped = extract_printed(rest)
    else:
        raise SystemExit(f"extract: unknown kind {kind!r}")
    for source, cmd, why in skipped:
        print(f"skipped ({why}): {source}: {cmd}", file=sys.stderr)
    for source, cmd in found:
        if "\t" in source + cmd or "\n" in source + cmd:
            raise SystemExit(f"extract: tab or newline in {source}: {cmd!r}")
        print(f"{source}\t{cmd}")
    return 0


# ---------------------------------------------------------------- check
def placeholder(m):
    name = m.group(1).strip().lower()
    if re.fullmatch(r"[mn]|quorum|count|number|num|\d+|.*-(count|number)", name):
        return DUMMY_NUMBER
    return DUMMY_NAME


def to_argv(cmd):
    """The argv a shell would give az for cmd, or raise ValueError."""
    line = re.sub(r"<([^<>]+)>", placeholder, cmd)
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    argv = []
    for tok in lex:
        if tok and all(ch in "();<>|&" for ch in tok):
            break
        argv.append(tok)
    if not argv or argv[0] != "az" or len(argv) < 2:
        raise ValueError(f"does not start with 'az ': {line}")
    return argv


def hermetic_env(config_dir):
    """The caller's environment without AZURE_*/AZ_* settings, plus a fresh
    config dir: no login, no telemetry, no prompts, no colours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AZ_", "MSI_", "IDENTITY_"))}
    env.update(
        AZURE_CONFIG_DIR=config_dir,
        AZURE_CORE_COLLECT_TELEMETRY="no",
        AZURE_CORE_SURVEY_MESSAGE="no",
        AZURE_CORE_NO_COLOR="yes",
        AZURE_CORE_ONLY_SHOW_ERRORS="yes",
        AZURE_CORE_DISABLE_PROGRESS_BAR="yes",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_once(argv):
    """Runs az once, in a fresh empty config dir and an empty working
    directory (so relative file names in the command name nothing)."""
    with tempfile.TemporaryDirectory(prefix="az-parse-") as tmp:
        config, cwd = os.path.join(tmp, "config"), os.path.join(tmp, "cwd")
        os.mkdir(config)
        os.mkdir(cwd)
        t0 = time.monotonic()
        try:
            p = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "run-az", *argv[1:]],
                cwd=cwd, env=hermetic_env(config), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT_S,
            )
            rc, out = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc, out = None, (e.stdout or b"").decode("utf-8", "replace")
        return {"rc": rc, "out": out, "secs": round(time.monotonic() - t0, 2)}


def verdict(argv, res):
    """(ok, why)."""
    ok, why = parse_verdict(argv, res)
    net = [ln.split(MARK_NETWORK, 1)[1].strip() for ln in res["out"].splitlines() if MARK_NETWORK in ln]
    if net:
        # Blocked, so it did no harm here, but az is meant to stay offline:
        # a pass becomes a failure, and a failure says so too.
        return False, ("" if ok else why + "; ") + "az tried to reach the network (blocked): " + ", ".join(net)
    return ok, why


def parse_verdict(argv, res):
    out, rc = res["out"], res["rc"]
    # "Error loading command module 'acs': No module named ..." lines: az
    # loads every module when it looks for an unknown command; the light venv
    # lacks their dependencies, and they are not what went wrong.
    errors = [ln for ln in out.splitlines() if ln.startswith("ERROR:") and "Error loading command module" not in ln]
    said = " / ".join(errors[:3]) if errors else (out.strip().splitlines() or ["(no output)"])[-1]
    if rc is None:
        return False, f"az did not finish within {TIMEOUT_S} s"
    if MARK_STOPPED in out and rc == 0:
        return True, "arguments accepted (offline command: stopped at its handler)"
    if MARK_PARSED in out and rc == 1 and LOGIN_MESSAGE in out:
        return True, "arguments accepted; stopped at az login"
    if rc == 0 and any(a in ("-h", "--help") for a in argv):
        return True, "help shown"
    if MARK_PARSED in out:
        return False, f"az accepted the arguments but then failed with something other than the login error (exit {rc}; venv incomplete?): {said}"
    if rc == 2:
        return False, f"az's argument parser rejected it (exit 2): {said}"
    return False, f"az rejected it before calling the command (exit {rc}): {said}"


def cmd_check(args):
    cache_dir, source, cmd = args
    print(f"source:   {source}")
    print(f"command:  {cmd}")
    try:
        argv = to_argv(cmd)
    except ValueError as e:
        print(f"FAILED: {source}: cannot split the command the way a shell would: {e}", file=sys.stderr)
        return 1
    print(f"as run:   {shlex.join(argv)}")
    print(f"          (fresh AZURE_CONFIG_DIR, no login, empty working directory, network blocked, timeout {TIMEOUT_S} s)")
    os.makedirs(cache_dir, exist_ok=True)
    key = hashlib.sha256(json.dumps(argv).encode()).hexdigest()[:32]
    cached = os.path.join(cache_dir, key + ".json")
    if os.path.exists(cached):
        with open(cached) as f:
            res = json.load(f)
        print(f"          (same command as {res['source']}: az not run again)")
    else:
        res = run_once(argv)
        res["source"] = source
        with open(cached, "w") as f:
            json.dump(res, f)
    rc = "timeout" if res["rc"] is None else res["rc"]
    print(f"az exit {rc} after {res['secs']} s; its output:")
    for ln in res["out"].rstrip("\n").splitlines():
        print(f"  | {ln}")
    ok, why = verdict(argv, res)
    if not ok:
        print(f"FAILED: {source}: az does not accept `{cmd}`: {why}", file=sys.stderr)
        return 1
    print(f"ok: {why}")
    return 0


# ---------------------------------------------------------------- run-az
def seed_version_check(config_dir, version):
    """Without a versionCheck.json, az's first start in a config dir asks
    https://azcliprod.blob.core.windows.net for the latest CLI version
    (azure.cli.core.util.handle_version_update: a HEAD with a 1 s timeout,
    then GETs), and --help asks again unless the answer is less than a day
    old (get_cached_latest_versions). With the local version recorded there
    today, it does not."""
    path = os.path.join(config_dir, "versionCheck.json")
    if not os.path.exists(path):
        with open(path, "w") as f:
            json.dump({"versions": {"azure-cli": {"local": version}, "core": {"local": version}},
                       "update_time": str(datetime.datetime.now())}, f)


def run_az(args):
    """az ARGS, as `python -m azure.cli` would run it (get_default_cli()
    .invoke, minus the telemetry upload and the upgrade check of
    azure/cli/__main__.py), with the version check seeded away
    (seed_version_check) and two guards:
      * no network: every AF_INET/AF_INET6 connect and every name lookup
        raises, after printing MARK_NETWORK (the checker fails on it);
      * MARK_PARSED when az calls the command's handler
        (AzCliCommand.__call__): argparse and the argument validators have
        all passed by then. Online commands go on to their client factory,
        which asks for the login; OFFLINE_COMMANDS stop here."""
    import socket

    def blocked(what):
        def refuse(*a, **k):
            print(f"{MARK_NETWORK} {what}{a[1:2] if what == 'connect' else a[:2]}", file=sys.stderr, flush=True)
            raise OSError(f"az-oracle: network access blocked ({what})")
        return refuse

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            blocked("connect")(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            blocked("connect")(self, address)
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = blocked("getaddrinfo")
    socket.gethostbyname = blocked("gethostbyname")
    socket.create_connection = blocked("create_connection")

    from azure.cli.core import __version__, get_default_cli
    from azure.cli.core.commands import AzCliCommand

    seed_version_check(os.environ["AZURE_CONFIG_DIR"], __version__)

    class Stop(BaseException):  # not an Exception: az's handlers let it through
        pass

    handler = AzCliCommand.__call__

    def call(self, *a, **k):
        print(f"{MARK_PARSED} '{self.name}'", file=sys.stderr, flush=True)
        if self.name in OFFLINE_COMMANDS:
            print(f"{MARK_STOPPED} '{self.name}'", file=sys.stderr, flush=True)
            raise Stop()
        return handler(self, *a, **k)

    AzCliCommand.__call__ = call
    try:
        code = get_default_cli().invoke(list(args))
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except Stop:
        code = 0
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def cmd_seed_config(args):
    from importlib.metadata import version

    seed_version_check(args[0], version("azure-cli-core"))
    return 0


def main():
    cmds = {"extract": cmd_extract, "check": cmd_check, "seed-config": cmd_seed_config, "run-az": run_az}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
