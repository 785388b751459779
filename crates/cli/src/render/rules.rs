//! `apimlint rules`: every rule with id, default severity, roles and summary.

use std::io::{self, Write};

use apimlint_core::rules;
use serde_json::json;

use crate::args::RulesFormat;

fn roles(r: &rules::Rule) -> String {
    if r.roles.is_empty() {
        "all".into()
    } else {
        r.roles
            .iter()
            .map(|x| x.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn list(format: RulesFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        RulesFormat::Text => {
            let width = rules::all().map(|r| r.id.len()).max().unwrap_or(0);
            for r in rules::all() {
                writeln!(
                    out,
                    "{:width$}  {:7}  {}",
                    r.id,
                    r.severity.name(),
                    r.summary()
                )?;
            }
        }
        RulesFormat::Json => {
            let list: Vec<_> = rules::all()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "severity": r.severity,
                        "group": r.group().name(),
                        "roles": r.roles.iter().map(|x| x.name()).collect::<Vec<_>>(),
                        "scope": if matches!(r.check, rules::Check::Node(_)) { "node" } else { "deployment" },
                        "fix": r.fix.name(),
                        "since": r.since,
                        "summary": r.summary(),
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&json!({ "version": 1, "rules": list }))
                .map_err(io::Error::other)?;
            writeln!(out, "{text}")?;
        }
        RulesFormat::Markdown => {
            writeln!(
                out,
                "| id | severity | roles | what it checks |\n|---|---|---|---|"
            )?;
            for r in rules::all() {
                writeln!(
                    out,
                    "| [`{}`]({}.md) | {} | {} | {} |",
                    r.id,
                    r.id,
                    r.severity,
                    roles(r),
                    r.summary().replace('|', "\\|")
                )?;
            }
        }
    }
    Ok(())
}
