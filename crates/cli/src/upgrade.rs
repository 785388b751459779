//! `apimlint upgrade --to VERSION [--fix|--diff] [PATH...]`: what changes
//! for the deployment between the API-M version it runs and VERSION
//! (`apimlint_core::analysis::upgrade`), in human or JSON form. `--fix` and
//! `--diff` apply the renames, through the fix step of `check` (the fixes of
//! `key-not-in-version` at VERSION).

use std::io::Write;

use apimlint_core::analysis::upgrade::{Change, changes};
use apimlint_core::catalog::versions::ApimVersion;
use apimlint_core::vfs::{DiskFs, relative};
use apimlint_core::{Deployment, text::LineIndex};
use serde_json::json;

use crate::args::{FixArgs, UpgradeArgs, UpgradeFormat};
use crate::render::escape::{terminal, terminal_lines};

pub(crate) fn run(a: &UpgradeArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
    let to = ApimVersion::parse(&a.to).ok_or_else(|| {
        format!(
            "`--to {}`: apimlint knows API-M {}",
            a.to,
            ApimVersion::names().join(", ")
        )
    })?;
    let (units, cwd) = crate::settings::plan(&a.paths, a.config.as_deref(), &[])?;
    let mut code = crate::EXIT_OK;
    let mut docs = Vec::new();
    for unit in units {
        let mut config = unit.config.clone();
        if let Some(v) = &a.apim_version {
            config.set_apim_version(v)?;
        }
        let dep = apimlint_core::load(&DiskFs, &unit.discovery, config);
        let from = dep.config().apim.as_ref().map(|(v, _)| *v).ok_or_else(|| {
            format!(
                "{}: the API-M version the deployment runs is not known: give it with `--apim-version`, `[deployment] version` in apimlint.toml, or the manifests' image tags",
                relative(dep.root(), &cwd)
            )
        })?;
        let found = changes(&dep, from, to);
        if !found.is_empty() {
            code = crate::EXIT_FINDINGS;
        }
        if a.fix || a.diff {
            let fa = fix_args(a, to);
            let opts = apimlint_core::suppress::Options::default();
            let mut config = unit.config.clone();
            crate::settings::settings(&fa, &mut config)?;
            crate::fix::run(&unit, config, &fa, &opts, out, err)?;
            if a.diff {
                continue;
            }
        }
        match a.format {
            UpgradeFormat::Json => docs.push(document(&dep, from, to, &found, &cwd)),
            UpgradeFormat::Human => human(&dep, from, to, &found, &cwd, out)
                .map_err(|e| format!("cannot write the report: {e}"))?,
        }
    }
    if a.format == UpgradeFormat::Json && !a.diff {
        let doc = json!({ "version": 1, "deployments": docs });
        serde_json::to_writer_pretty(&mut *out, &doc)
            .map_err(|e| format!("cannot write the report: {e}"))?;
        writeln!(out).map_err(|e| format!("cannot write the report: {e}"))?;
    }
    Ok(code)
}

/// The fix step's arguments: only `key-not-in-version`, at the target version.
fn fix_args(a: &UpgradeArgs, to: ApimVersion) -> FixArgs {
    FixArgs {
        select: vec!["key-not-in-version".to_owned()],
        ignore: Vec::new(),
        fix: a.fix,
        unsafe_fixes: false,
        diff: a.diff,
        require_reason: false,
        baseline: None,
        write_baseline: None,
        now: None,
        apim_version: Some(to.name().to_owned()),
    }
}

/// `node:line:column` of a change, or its nodes.
fn location(dep: &Deployment, c: &Change, cwd: &std::path::Path) -> String {
    let Some((file, range)) = &c.at else {
        return String::new();
    };
    let Some(node) = dep.node_of(*file) else {
        return String::new();
    };
    let lc = LineIndex::new(&node.text).line_col(&node.text, range.start);
    format!("{}:{}:{}", relative(&node.path, cwd), lc.line, lc.column)
}

fn human(
    dep: &Deployment,
    from: ApimVersion,
    to: ApimVersion,
    found: &[Change],
    cwd: &std::path::Path,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let scrub = dep.scrubber();
    writeln!(
        out,
        "{}",
        terminal(&format!(
            "upgrade {} from API-M {from} to {to}",
            relative(dep.root(), cwd)
        ))
    )?;
    if found.is_empty() {
        return writeln!(out, "nothing in this deployment changes meaning");
    }
    for c in found {
        let at = location(dep, c, cwd);
        let what = if at.is_empty() {
            format!("{} ({})", c.message, nodes(&c.nodes))
        } else {
            format!("{at}: {}", c.message)
        };
        let fix = if c.fixable {
            " [fixable with --fix]"
        } else {
            ""
        };
        writeln!(
            out,
            "  {:<8} {}{fix}",
            c.kind.name(),
            terminal_lines(&scrub.scrub(&what))
        )?;
    }
    let fixable = found.iter().filter(|c| c.fixable).count();
    writeln!(
        out,
        "{} change{}, {fixable} fixable with `apimlint upgrade --to {to} --fix`",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    )
}

/// "`a`, `b` and 3 more".
fn nodes(ids: &[String]) -> String {
    match ids {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a}, {b}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

fn document(
    dep: &Deployment,
    from: ApimVersion,
    to: ApimVersion,
    found: &[Change],
    cwd: &std::path::Path,
) -> serde_json::Value {
    let scrub = dep.scrubber();
    let items: Vec<serde_json::Value> = found
        .iter()
        .map(|c| {
            json!({
                "kind": c.kind.name(),
                "key": c.key,
                "version": c.version,
                "message": scrub.scrub(&c.message),
                "location": location(dep, c, cwd),
                "nodes": c.nodes,
                "fixable": c.fixable,
            })
        })
        .collect();
    json!({
        "deployment": relative(dep.root(), cwd),
        "from": from.name(),
        "to": to.name(),
        "changes": items,
    })
}
