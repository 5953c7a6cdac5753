//! `sdkit drill`: a restore rehearsal in memory. Recovers the master key from the given keys,
//! authenticates every item, and proves that every quorum of the opened shares gives the same
//! master key, by checking that every share lies on the polynomial a quorum fixes (which is
//! equivalent, and costs N·M operations instead of one recombination per subset).
//!
//! The keys' trip to the master key is [`super::quorum`]'s; the verdict is core's
//! [`DrillReport`]; this file renders it.

use super::holders::{Holders, heading};
use super::ledger::{ShareEntry, append_drill};
use super::parse_sd;
use super::quorum::{QuorumRun, recover_error, run_quorum_with};
use crate::cli::DrillArgs;
use crate::error::{CliError, Exit};
use crate::io;
use crate::keys::certificates_beside;
use crate::render::ShowPath;
use crate::render::{Output, Report, words};
use sdkit_core::content::{ContentDifference, ContentDigest, ContentList};
use sdkit_core::digest::Sha256Digest;
use sdkit_core::drill::{DrillFinding, DrillReport, ItemResult, Verdict};
use sdkit_core::evidence::share_commitment;
use sdkit_core::recover::{self, HolderStatus};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What `--ledger` recorded.
struct LedgerRecord {
    file: PathBuf,
    head: Sha256Digest,
    commitments: usize,
}

/// `--same-contents-as`: the earlier report, and how this drill's items differ from it.
struct ContentCheck {
    file: PathBuf,
    items: usize,
    differences: Vec<ContentDifference>,
}

impl ContentCheck {
    /// The differences as lines, at most [`MAX_DIFFERENCES_SHOWN`] of them and then how many
    /// more (a crafted report could list thousands).
    fn shown(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .differences
            .iter()
            .take(MAX_DIFFERENCES_SHOWN)
            .map(ToString::to_string)
            .collect();
        if self.differences.len() > MAX_DIFFERENCES_SHOWN {
            lines.push(format!(
                "... and {} more",
                self.differences.len() - MAX_DIFFERENCES_SHOWN
            ));
        }
        lines
    }
}

/// How many content differences are listed one by one.
const MAX_DIFFERENCES_SHOWN: usize = 20;

/// Reads the earlier report `--same-contents-as` names (before any key is read).
fn load_content_list(path: &Path) -> Result<(PathBuf, ContentList), CliError> {
    let bytes = io::read_bounded(path, MAX_REPORT_BYTES, "report")?;
    let list = ContentList::from_report_json(&bytes).map_err(|e| {
        let hint = "give the --json report of a drill (or reshare) of the other security domain: `sdkit --json drill OLD_SD --key ... > OLD_DRILL.json`";
        if sdkit_core::SecurityDomain::parse(&bytes).is_ok() {
            CliError::input(path, "this is a security domain, not a drill report: its contents can be read only with its keys").hint(hint)
        } else {
            CliError::input(path, e).hint(hint)
        }
    })?;
    Ok((path.to_owned(), list))
}

/// Largest report `--same-contents-as` reads.
const MAX_REPORT_BYTES: u64 = 16 * 1024 * 1024;

/// A drill's report: core's verdict and findings, with the names people know things by.
struct DrillView<'a> {
    sd_path: &'a Path,
    run: &'a QuorumRun,
    holders: Holders<'a>,
    report: DrillReport,
    /// For each untested share, the `.cer` beside the keys that holds it, if any.
    untested: Vec<(usize, Option<PathBuf>)>,
    ledger: Option<LedgerRecord>,
    contents: Option<ContentCheck>,
}

impl DrillView<'_> {
    fn x5t(&self, share: usize) -> String {
        self.run.loaded.sd.shares()[share].thumbprint.to_base64url()
    }

    /// A line for a finding about shares or items (holders have their own lines).
    fn finding_line(&self, f: &DrillFinding) -> Option<String> {
        match f {
            DrillFinding::HolderFailed { .. } | DrillFinding::ShareNotTested { .. } => None,
            DrillFinding::OffPolynomial { x, holder } => Some(format!(
                "share x = {x} (opened by {}) is off the polynomial: it is corrupt or from another secret",
                holder
                    .and_then(|h| self.run.keys.get(h))
                    .map(|k| k.path.shown().to_string())
                    .unwrap_or_default()
            )),
            DrillFinding::ItemNotAuthentic { item } => {
                let items = self.report.recovery.as_ref().map_or(&[][..], |r| &r.items);
                match items.get(*item) {
                    Some(ItemResult {
                        tag,
                        content: Err(e),
                    }) => Some(format!("item {tag:?} did not authenticate: {e}")),
                    _ => None,
                }
            }
            DrillFinding::SubsetDisagrees { x } => Some(format!(
                "the subset x = {x:?} recombines to a different master key"
            )),
            DrillFinding::ShareLabelledForAnotherCertificate { holder, share } => Some(format!(
                "{} opened share {} (x5t_256 {}), which is labelled for another certificate than the key's: az finds shares by certificate, so it would not find this one; give the key with the certificate the share was made for",
                self.run.keys.get(*holder).map(|k| k.path.shown().to_string()).unwrap_or_default(),
                share + 1,
                self.x5t(*share)
            )),
            DrillFinding::ThresholdLowerThanDeclared { declared } => Some(format!(
                "the shares recombine with fewer than the {declared} custodians the file declares: {} would do; this file's custody is weaker than it says (download or reshare a new one)",
                declared - 1
            )),
            DrillFinding::TagNotRestorable { item } => self.run.loaded.sd.items().get(*item).map(|it| format!(
                "item tag {:?} is not a plain ASCII file name: recover refuses it and az cannot read it, so a restore of this file would fail",
                it.tag
            )),
        }
    }

    /// The `BAD:` lines for the findings `pick` selects.
    fn bad_lines(&self, text: &mut String, pick: impl Fn(&DrillFinding) -> bool) {
        for f in self.report.findings.iter().filter(|f| pick(f)) {
            if let Some(line) = self.finding_line(f) {
                let _ = writeln!(text, "  BAD: {line}");
            }
        }
    }

    /// Each finding that fails the drill, as a line naming the key, share or item.
    fn problems(&self) -> Vec<String> {
        let mut out = self.holders.problems();
        out.extend(self.report.problems().filter_map(|f| self.finding_line(f)));
        out
    }

    /// The error a failed drill ends with.
    fn error(&self) -> Option<CliError> {
        let err = match (&self.report.verdict, &self.report.recovery) {
            (Verdict::Passed, _) => match &self.contents {
                Some(c) if !c.differences.is_empty() => {
                    let mut message = format!(
                        "{}: the drill passed, but its contents are not those of {}:",
                        self.sd_path.shown(),
                        c.file.shown()
                    );
                    for d in c.shown() {
                        message.push_str("\n  ");
                        message.push_str(&d);
                    }
                    CliError::new(Exit::CheckFailed, message).hint(
                        "these two security domains do not protect the same HSM contents: keep the old file until a reshare of it passes this check",
                    )
                }
                _ => return None,
            },
            (_, Err(e)) => recover_error(self.sd_path, e, &self.holders.problems()),
            (verdict, Ok(_)) => {
                let mut message = format!("{}: drill failed:", self.sd_path.shown());
                for p in self.problems() {
                    message.push_str("\n  ");
                    message.push_str(&p);
                }
                let exit = if *verdict == Verdict::ItemsFailed {
                    Exit::Crypto
                } else {
                    Exit::CheckFailed
                };
                CliError::new(exit, message).hint(if self.holders.skipped() == 0 {
                    "download the security domain again; if it stays, the file was damaged or altered"
                } else {
                    "give each custodian's own key; a key that opens no share is not one of this SD's"
                })
            }
        };
        Some(err.with(self))
    }
}

impl Report for DrillView<'_> {
    fn text(&self) -> String {
        let sd = &self.run.loaded.sd;
        let mut text = heading(self.sd_path, sd, &self.run.loaded.digest);
        text.push_str(&self.holders.text());
        let Ok(rec) = &self.report.recovery else {
            return text;
        };
        let _ = writeln!(
            text,
            "Master key recovered from shares x = {:?} (not shown).",
            rec.basis
        );
        let (opened, need) = (self.report.opened(), self.report.required);
        if self.report.every_quorum_agrees() && opened == need {
            let _ = writeln!(
                text,
                "Every quorum: the {opened} keys given agree (they are one quorum)."
            );
        } else if self.report.every_quorum_agrees() {
            let _ = writeln!(
                text,
                "Every quorum: any {need} of the {opened} keys given recover the same master key ({} combinations; their shares lie on one polynomial).",
                recover::binomial(opened, need)
            );
        }
        self.bad_lines(&mut text, |f| {
            matches!(
                f,
                DrillFinding::OffPolynomial { .. }
                    | DrillFinding::ShareLabelledForAnotherCertificate { .. }
                    | DrillFinding::ThresholdLowerThanDeclared { .. }
            )
        });
        let _ = writeln!(text, "Items:");
        text.push_str(&super::items_text(&rec.items));
        self.bad_lines(&mut text, |f| {
            matches!(f, DrillFinding::TagNotRestorable { .. })
        });
        if let Some(c) = &self.contents {
            if c.differences.is_empty() {
                let _ = writeln!(
                    text,
                    "Same contents as {}: all {} items match.",
                    c.file.shown(),
                    c.items
                );
            } else {
                let _ = writeln!(text, "Contents differ from {}:", c.file.shown());
                for d in c.shown() {
                    let _ = writeln!(text, "  BAD: {d}");
                }
            }
        }
        if let Some(ex) = &self.report.exhaustive {
            if ex.disagreeing.is_empty() {
                let _ = writeln!(
                    text,
                    "Exhaustive: all {} subsets of {need} recombined one by one to the same master key.",
                    ex.subsets
                );
            }
            self.bad_lines(&mut text, |f| {
                matches!(f, DrillFinding::SubsetDisagrees { .. })
            });
        }
        if !self.untested.is_empty() {
            let _ = writeln!(text, "Not tested by this drill:");
            for (i, cert) in &self.untested {
                let name = cert.as_ref().and_then(|p| p.file_name()).map_or_else(
                    || format!("x5t_256 {}", sd.shares()[*i].thumbprint),
                    |n| n.to_string_lossy().into_owned(),
                );
                let _ = writeln!(
                    text,
                    "  share {} ({name}) not tested: run a drill that includes its custodian's key",
                    i + 1
                );
            }
        }
        if let Some(l) = &self.ledger {
            let _ = writeln!(
                text,
                "Ledger: recorded this drill ({} share commitments) in {}.",
                l.commitments,
                l.file.shown()
            );
            let _ = writeln!(
                text,
                "  new head {} ({}): write it down",
                &l.head.to_hex()[..16],
                words(l.head.as_bytes())
            );
        }
        let contents_match = self
            .contents
            .as_ref()
            .is_none_or(|c| c.differences.is_empty());
        if self.report.verdict == Verdict::Passed && contents_match {
            let _ = writeln!(
                text,
                "DRILL PASSED: every key opened its share, every quorum agrees, every item authenticated."
            );
        }
        text
    }

    fn json(&self) -> Value {
        let rec = self.report.recovery.as_ref().ok();
        json!({
            "command": "drill",
            "file": self.sd_path.shown().to_string(),
            "sha256": self.run.loaded.digest,
            "required": self.report.required,
            "shares_total": self.report.total,
            "holders": self.holders.json(),
            "basis_x": rec.map(|r| &r.basis),
            "off_polynomial_x": rec.map(|r| &r.off_polynomial),
            "every_quorum_agrees": self.report.every_quorum_agrees(),
            "exhaustive": self.report.exhaustive.as_ref().map(|e| json!({ "subsets": e.subsets, "disagreeing_x": e.disagreeing })),
            "untested_shares": self.untested.iter().map(|(i, cert)| json!({
                "share": i + 1,
                "x5t_256": self.x5t(*i),
                "certificate": cert.as_ref().map(|p| p.shown().to_string()),
            })).collect::<Vec<_>>(),
            "ledger": self.ledger.as_ref().map(|l| json!({
                "file": l.file.shown().to_string(),
                "head": l.head,
                "head_words": words(l.head.as_bytes()),
                "commitments": l.commitments,
            })),
            "items": rec.map_or_else(Vec::new, |r| super::items_json(&r.items)),
            "problems": self.problems(),
            "same_contents_as": self.contents.as_ref().map(|c| json!({
                "file": c.file.shown().to_string(),
                "same": c.differences.is_empty(),
                "differences": c.shown(),
                "differences_total": c.differences.len(),
            })),
            "warnings": self.run.warnings.json(),
        })
    }
}

/// The ledger lines for the shares this drill opened: each share's commitment (bound to
/// the SD file's hash) and whether it lay on the polynomial.
fn ledger_entries(run: &QuorumRun, report: &DrillReport) -> Vec<ShareEntry> {
    let off: &[u8] = report.recovery.as_ref().map_or(&[], |r| &r.off_polynomial);
    run.outcome
        .openings
        .iter()
        .filter_map(|o| match (&o.status, o.share()) {
            (HolderStatus::Opened { share_index, x }, Some(share)) => Some(ShareEntry {
                share: share_index + 1,
                x: *x,
                x5t_256: run.loaded.sd.shares()[*share_index]
                    .thumbprint
                    .to_base64url(),
                status: if off.contains(x) {
                    "off_polynomial"
                } else {
                    "ok"
                },
                commitment: hex::encode(share_commitment(run.loaded.digest.as_bytes(), share)),
            }),
            _ => None,
        })
        .collect()
}

/// Runs `drill`.
pub fn run(args: &DrillArgs, out: Output) -> Result<Exit, CliError> {
    if let Some(ledger_path) = &args.ledger {
        super::ledger::check_appendable(ledger_path)?;
    }
    let expected = args
        .same_contents_as
        .as_deref()
        .map(load_content_list)
        .transpose()?;
    let run = run_quorum_with(
        |bytes| parse_sd(&args.sd, bytes),
        &args.sd,
        &args.keys_paths,
        &args.keys,
    )?;
    run.warnings.print();
    let report = DrillReport::new(&run.loaded.sd, &run.outcome, args.exhaustive).map_err(|e| {
        CliError::usage(format!("--exhaustive refused: {e}"))
            .hint("run the drill without --exhaustive")
    })?;
    let untested: Vec<usize> = report.untested_shares().collect();
    let beside = if untested.is_empty() {
        Vec::new()
    } else {
        certificates_beside(&args.keys_paths)
    };
    let untested = untested
        .into_iter()
        .map(|i| {
            let tp = run.loaded.sd.shares()[i].thumbprint;
            (
                i,
                beside
                    .iter()
                    .find(|(_, t)| *t == tp)
                    .map(|(p, _)| p.clone()),
            )
        })
        .collect();
    // A drill that recovered a master key is recorded, passed or failed.
    let ledger = match (&args.ledger, &report.recovery) {
        (Some(path), Ok(_)) => {
            let entries = ledger_entries(&run, &report);
            let head = append_drill(
                path,
                &args.sd,
                &run.loaded.digest,
                report.required,
                report.total,
                report.verdict == Verdict::Passed,
                &entries,
            )?;
            Some(LedgerRecord {
                file: path.clone(),
                head,
                commitments: entries.len(),
            })
        }
        _ => None,
    };
    let contents = match (expected, &report.recovery) {
        (Some((file, list)), Ok(rec)) => {
            let items: Vec<(&str, Option<ContentDigest>)> = rec
                .items
                .iter()
                .map(|it| (it.tag.as_str(), it.content.as_ref().ok().map(|c| c.digest)))
                .collect();
            Some(ContentCheck {
                file,
                items: list.items().len(),
                differences: list.compare(&items),
            })
        }
        _ => None,
    };
    let view = DrillView {
        contents,
        sd_path: &args.sd,
        holders: run.holders(),
        run: &run,
        report,
        untested,
        ledger,
    };
    if let Some(e) = view.error() {
        return Err(e);
    }
    out.report(&view);
    Ok(Exit::Ok)
}
