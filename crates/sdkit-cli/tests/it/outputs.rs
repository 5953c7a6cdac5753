//! `recover`: what it writes (names, sizes, hashes, modes), where, and what it refuses to
//! overwrite; and that no secret reaches stdout or stderr.

use crate::common::*;
use crate::fixtures::*;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Asserts `dir` holds exactly the three `<tag>.bin` files of `sd`, with the documented
/// sizes and hashes, mode 0600, and that none of their bytes reached the run's output.
fn assert_recovered(dir: &Path, sd: &SdCase, r: &Run) {
    let want: BTreeSet<PathBuf> = sd
        .items
        .iter()
        .map(|(t, _, _)| PathBuf::from(format!("{t}.bin")))
        .collect();
    assert_eq!(
        tree(dir),
        want,
        "exactly the three items, no temporary files\n{r}"
    );
    for (tag, len, sha_prefix) in sd.items {
        let p = dir.join(format!("{tag}.bin"));
        let bytes = fs::read(&p).unwrap();
        assert_eq!(bytes.len(), len, "{} size\n{r}", p.display());
        let sha = sha256_hex(&bytes);
        assert!(
            sha.starts_with(sha_prefix),
            "{}: SHA-256 {sha} does not start with {sha_prefix}",
            p.display()
        );
        let head = hex::encode(&bytes[..16]);
        for s in [&r.stdout, &r.stderr] {
            assert!(
                !s.to_ascii_lowercase().contains(&head),
                "plaintext printed\n{r}"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} mode {mode:o}", p.display());
        }
    }
}

#[test]
fn recover_every_quorum_both_domains() {
    let d = tempdir();
    let keys = isolated_keys(d.path(), &[1, 2, 3]);
    for sd in BOTH {
        for q in QUORUMS {
            let ks: Vec<PathBuf> = q.iter().map(|n| keys[n - 1].clone()).collect();
            let name: String = q.iter().map(|n| n.to_string()).collect();
            // A missing directory two levels deep is created.
            let out = d
                .path()
                .join(format!("out-{}-{name}", &sd.file[3..7]))
                .join("nested");
            assert!(!out.exists());
            let r = sdkit(["recover"])
                .arg(sd.path())
                .keys(&ks)
                .arg("--out-dir")
                .arg(&out)
                .run();
            r.code(OK).out_has(&["Wrote (mode 0600)"]);
            assert_recovered(&out, sd, &r);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode & 0o077, 0, "created out dir is private: {mode:o}");
            }
        }
    }
}

#[test]
fn recover_json_report() {
    let d = tempdir();
    let out = d.path().join("out");
    let r = sdkit(["recover"])
        .arg(SD2023.path())
        .keys(&[key(2), key(3)])
        .arg("--out-dir")
        .arg(&out)
        .json()
        .run();
    r.code(OK);
    let j = r.json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["command"], "recover");
    let written = j["written"].as_array().unwrap();
    assert_eq!(written.len(), 3);
    for (w, (tag, len, _)) in written.iter().zip(SD2023.items) {
        assert_eq!(
            w["file"],
            out.join(format!("{tag}.bin")).display().to_string()
        );
        assert_eq!(w["bytes"], len);
    }
    assert_recovered(&out, &SD2023, &r);
}

#[test]
fn recover_into_existing_empty_dir() {
    let d = tempdir();
    let r = sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(3)])
        .arg("--out-dir")
        .arg(d.path())
        .run();
    r.code(OK);
    assert_recovered(d.path(), &SD2020, &r);
}

#[test]
fn recover_refuses_to_overwrite_without_force() {
    let d = tempdir();
    let out = d.path().join("out");
    fs::create_dir(&out).unwrap();
    let existing = write_file(&out, "base_enclave_backup.bin", b"old content");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&existing, fs::Permissions::from_mode(0o644)).unwrap();
    }
    let before = tree(&out);

    let r = sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&out)
        .run();
    r.code(OUTPUT)
        .err_names(&existing)
        .err_has(&["already exists", "--force"]);
    assert_eq!(fs::read(&existing).unwrap(), b"old content");
    assert_eq!(
        tree(&out),
        before,
        "no other file written, no temporary left"
    );

    // --json: one error document, same outcome.
    let r = sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&out)
        .json()
        .run();
    r.code(OUTPUT);
    let j = r.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["error"]["exit_code"], OUTPUT);
    assert_eq!(j["error"]["kind"], "output");
    assert_eq!(tree(&out), before);

    // --force replaces it whole, with mode 0600.
    let r = sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&out)
        .arg("--force")
        .run();
    r.code(OK);
    assert_recovered(&out, &SD2020, &r);
}

#[test]
fn recover_refuses_when_any_of_the_files_exists() {
    // The last file to be written exists: nothing at all is written.
    let d = tempdir();
    let existing = write_file(d.path(), "partition_enclave_backup.bin", b"keep");
    let r = sdkit(["recover"])
        .arg(SD2023.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(d.path())
        .run();
    r.code(OUTPUT).err_names(&existing);
    assert_eq!(
        tree(d.path()),
        BTreeSet::from([PathBuf::from("partition_enclave_backup.bin")])
    );
    assert_eq!(fs::read(&existing).unwrap(), b"keep");
}

#[cfg(unix)]
#[test]
fn recover_refuses_to_write_through_a_symlink() {
    let d = tempdir();
    let out = d.path().join("out");
    fs::create_dir(&out).unwrap();
    let target = write_file(d.path(), "elsewhere.txt", b"untouched");
    std::os::unix::fs::symlink(&target, out.join("hsm_backup.bin")).unwrap();
    sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OUTPUT)
        .err_has(&["hsm_backup.bin", "already exists"]);
    assert_eq!(fs::read(&target).unwrap(), b"untouched");
}

#[test]
fn recover_out_dir_is_a_file() {
    let d = tempdir();
    let file = write_file(d.path(), "not-a-dir", b"x");
    sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&file)
        .run()
        .code(OUTPUT)
        .err_names(&file)
        .err_has(&["not a directory"]);
    assert_eq!(fs::read(&file).unwrap(), b"x");
    assert_eq!(tree(d.path()), BTreeSet::from([PathBuf::from("not-a-dir")]));
}

#[test]
fn reports_print_no_secrets() {
    // Master key and plaintext must not appear in any report, text or JSON. (Every run is
    // also checked for the master key by the harness.)
    let d = tempdir();
    let out = d.path().join("out");
    sdkit(["recover"])
        .arg(SD2020.path())
        .keys(&[key(1), key(2)])
        .arg("--out-dir")
        .arg(&out)
        .run()
        .code(OK);
    let heads: Vec<String> = SD2020
        .items
        .iter()
        .map(|(t, _, _)| hex::encode(&fs::read(out.join(format!("{t}.bin"))).unwrap()[..16]))
        .collect();
    for cmd in ["check", "drill"] {
        for json in [false, true] {
            let mut c = sdkit([cmd]).arg(SD2020.path());
            c = if cmd == "check" {
                c.keys(&[key(1)])
            } else {
                c.keys(&[key(1), key(2), key(3)])
            };
            if json {
                c = c.json();
            }
            let r = c.run();
            r.code(OK);
            for h in &heads {
                assert!(!r.stdout.contains(h.as_str()), "plaintext printed\n{r}");
            }
        }
    }
}

#[test]
fn version_short_and_long() {
    // `-V` is one line for scripts; `--version` adds what ties the binary to its source.
    let short = sdkit(["-V"]).run();
    short.code(OK);
    assert_eq!(short.stdout.lines().count(), 1, "-V is one line\n{short}");
    let (backend, features) = if cfg!(feature = "aws-lc") {
        ("RSA backend: AWS-LC ", "features: aws-lc")
    } else {
        ("RSA backend: RustCrypto rsa 0.10.0", "features: none")
    };
    let long = sdkit(["--version"]).run();
    long.code(OK)
        .out_has(&[features, backend, "target: ", "rustc: rustc "]);
    assert!(
        long.stdout.starts_with(&short.stdout),
        "--version starts with -V's line\n{long}"
    );
    let commit = long
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("commit: "))
        .unwrap_or_else(|| panic!("no commit line\n{long}"));
    // In a git checkout: the 40-digit commit, then whether the compiled sources were it.
    // From a source tarball (no .git): "unknown (no git)".
    if !Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.git")
        .exists()
    {
        assert_eq!(commit, "unknown (no git)", "{long}");
        return;
    }
    let (hash, state) = commit.split_once(' ').unwrap();
    assert!(
        hash.len() == 40 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "commit {hash:?}\n{long}"
    );
    assert!(
        ["(clean)", "(dirty)"].contains(&state),
        "state {state:?}\n{long}"
    );
}
