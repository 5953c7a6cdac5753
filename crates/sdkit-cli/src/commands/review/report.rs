//! The review rendered: text for people, JSON for scripts, from the one view.

use super::*;

impl Report for ReviewView<'_> {
    fn text(&self) -> String {
        let (loaded, sd) = (self.loaded, &self.loaded.sd);
        let mut t = String::new();
        let _ = writeln!(
            t,
            "Quarterly review of {} as of {}",
            self.sd(),
            date(self.now)
        );
        let _ = writeln!(t, "  SHA-256 {}", loaded.digest);
        let _ = writeln!(t, "  read aloud: {}", words(loaded.digest.as_bytes()));
        let _ = writeln!(t, "  quorum: {}", self.quorum_words());
        let _ = writeln!(t, "  {}", self.limits_words());
        match &self.ledger {
            Some(l) => {
                let _ = writeln!(
                    t,
                    "  ledger {}: {} record(s), {} passed drill(s) of this file; head {} ({})",
                    l.file.shown(),
                    l.records,
                    self.report.passed_drills_of_this_sd.unwrap_or(0),
                    &l.head.to_hex()[..16],
                    words(l.head.as_bytes())
                );
            }
            None => {
                let _ = writeln!(t, "  ledger: none given");
            }
        }
        match &self.register {
            Some(r) => {
                let _ = writeln!(
                    t,
                    "  register {}: {} entries; head {} ({})",
                    r.file.shown(),
                    r.records,
                    &r.head.to_hex()[..16],
                    words(r.head.as_bytes())
                );
            }
            None => {
                let _ = writeln!(t, "  register: none given");
            }
        }
        let _ = writeln!(t, "Custodians:");
        for i in 0..self.report.shares.len() {
            let share = &sd.shares()[i];
            match self.cert_of(i) {
                Some(c) => {
                    let _ = writeln!(
                        t,
                        "  [{}] {} ({}), RSA-{}",
                        i + 1,
                        crate::render::shown(&c.cert.subject()),
                        c.path.shown(),
                        c.cert.key_bits().unwrap_or(0)
                    );
                    let _ = writeln!(t, "      x5t_256 {}", share.thumbprint);
                    let _ = writeln!(
                        t,
                        "      fingerprint read aloud: {}",
                        words(share.thumbprint.as_bytes())
                    );
                    let _ = writeln!(
                        t,
                        "      certificate valid {} to {}: {}",
                        date(c.cert.not_before()),
                        date(c.cert.not_after()),
                        validity(c, self.now)
                    );
                }
                None => {
                    let _ = writeln!(
                        t,
                        "  [{}] x5t_256 {} (no certificate given)",
                        i + 1,
                        share.thumbprint
                    );
                    let _ = writeln!(
                        t,
                        "      fingerprint read aloud: {}",
                        words(share.thumbprint.as_bytes())
                    );
                }
            }
            let _ = writeln!(t, "      last proven: {}", self.proven_words(i));
            let _ = writeln!(t, "      held by: {}", self.held_words(i));
        }
        if let Some(copies) = &self.report.sd_copies {
            let _ = writeln!(t, "Copies of this SD file:");
            if copies.is_empty() {
                let _ = writeln!(t, "  none recorded");
            }
            for h in copies {
                let _ = writeln!(t, "  {}", Self::holding_words(h));
            }
        }
        if self.report.findings.is_empty() {
            let _ = writeln!(t, "Findings: none");
        } else {
            let _ = writeln!(t, "Findings, most serious first:");
            for (i, f) in self.report.findings.iter().enumerate() {
                let (what, todo) = self.words_for(f);
                let _ = writeln!(t, "  {}. {}: {what}", i + 1, level_name(f.level()));
                let _ = writeln!(t, "     to do: {todo}");
            }
        }
        if let Some(p) = &self.html {
            let _ = writeln!(t, "Wrote {} (the printable review).", p.shown());
        }
        if self.failing().is_empty() {
            let _ = writeln!(
                t,
                "OK: no finding at or above {}",
                level_name(self.args.fail_on.into())
            );
        }
        t
    }

    fn json(&self) -> Value {
        let (loaded, sd) = (self.loaded, &self.loaded.sd);
        let q = sd.quorum();
        let shares: Vec<Value> = self
            .report
            .shares
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let tp = sd.shares()[i].thumbprint;
                json!({
                    "share": i + 1,
                    "x5t_256": tp.to_base64url(),
                    "fingerprint_words": words(tp.as_bytes()),
                    "certificate": self.cert_of(i).map(|c| json!({
                        "file": c.path.shown().to_string(),
                        "subject": c.cert.subject(),
                        "not_before": date(c.cert.not_before()),
                        "not_after": date(c.cert.not_after()),
                        "validity": validity(c, self.now),
                        "key_bits": c.cert.key_bits(),
                        "sha256_fingerprint": c.thumbprint().to_hex_fingerprint(),
                    })),
                    "last_proven": s.last_proof.as_ref().map(|p| json!({
                        "time": rfc3339(p.time),
                        "days_ago": p.days_ago,
                        "this_sd": p.sd_sha256 == loaded.digest,
                        "sd_sha256": p.sd_sha256,
                        "by": if p.by_check { "check" } else { "drill" },
                    })),
                    "last_proven_this_sd": s.last_proof_this_sd.map(rfc3339),
                    "holders": s.holders.as_ref().map(|h| h.iter().map(holding_json).collect::<Vec<_>>()),
                    "destroyed_copies": s.destroyed,
                })
            })
            .collect();
        let findings: Vec<Value> = self
            .report
            .findings
            .iter()
            .map(|f| {
                let (message, action) = self.words_for(f);
                json!({
                    "level": level_name(f.level()),
                    "code": f.code(),
                    "share": f.share().map(|s| s + 1),
                    "message": message,
                    "action": action,
                })
            })
            .collect();
        json!({
            "command": "review",
            "file": self.sd(),
            "sha256": loaded.digest,
            "sha256_words": words(loaded.digest.as_bytes()),
            "size": loaded.size,
            "as_of": rfc3339(self.now),
            "max_age_days": self.args.max_age,
            "fail_on": level_name(self.args.fail_on.into()),
            "required": q.required(),
            "shares_total": q.total(),
            "can_lose": self.report.can_lose,
            "quorum_words": self.quorum_words(),
            "within_managed_hsm_limits": q.within_managed_hsm_limits(),
            "ledger": self.ledger.as_ref().map(|l| {
                let mut v = l.json();
                v["passed_drills_of_this_sd"] = json!(self.report.passed_drills_of_this_sd);
                v
            }),
            "register": self.register.as_ref().map(LogSeen::json),
            "shares": shares,
            "sd_copies": self.report.sd_copies.as_ref().map(|c| c.iter().map(holding_json).collect::<Vec<_>>()),
            "findings": findings,
            "highest": self.report.highest().map(level_name),
            "html": self.html.as_ref().map(|p| p.shown().to_string()),
        })
    }
}
