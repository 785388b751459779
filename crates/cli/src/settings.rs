//! What the command line says of a run: the rules `--select`/`--ignore`
//! name (ids or groups), the day `--now` names, the version `--apim-version`
//! names, the deployments its paths hold. `check`, `--fix` and `upgrade`
//! apply it.

use std::path::Path;

use apimlint_core::analysis::project::Unit;
use apimlint_core::vfs::DiskFs;
use apimlint_core::{Config, rules};

use crate::args::FixArgs;

/// The group names `--select`/`--ignore` take: the rule directories.
fn group_dir(g: rules::Group) -> &'static str {
    match g {
        rules::Group::Syntax => "syntax",
        rules::Group::Node => "node",
        rules::Group::Wiring => "wiring",
        rules::Group::Shared => "shared",
        rules::Group::Bridge => "bridge",
        rules::Group::Keys => "keys",
        rules::Group::Front => "front",
        rules::Group::Security => "security",
        rules::Group::Meta => "meta",
    }
}

const GROUPS: [&str; 9] = [
    "syntax", "node", "wiring", "shared", "bridge", "keys", "front", "security", "meta",
];

/// The rules a `--select`/`--ignore` word names: a rule id or a group.
fn named_rules(word: &str, flag: &str) -> Result<Vec<&'static str>, String> {
    let rules: Vec<&'static str> = rules::all()
        .filter(|r| r.id == word || group_dir(r.group()) == word)
        .map(|r| r.id)
        .collect();
    if rules.is_empty() {
        let ids = rules::ids();
        let hint = apimlint_core::text::did_you_mean(word, ids.iter().copied().chain(GROUPS), 3)
            .map_or_else(
                || {
                    format!(
                        "a rule id, or a group: {}; `apimlint rules` lists the rules",
                        GROUPS.join(", ")
                    )
                },
                |s| format!("did you mean `{s}`?"),
            );
        return Err(format!(
            "`{flag} {word}`: no rule or group `{word}` ({hint})"
        ));
    }
    Ok(rules)
}

/// The day expiry is judged against: `--now`, else `APIMLINT_NOW`, else
/// `None` (today).
fn now(fa: &FixArgs) -> Result<Option<i64>, String> {
    if fa.now.is_some() {
        return Ok(fa.now);
    }
    match std::env::var("APIMLINT_NOW") {
        Ok(v) if !v.trim().is_empty() => apimlint_core::parse_date(&v).map(Some).ok_or_else(|| {
            format!(
                "APIMLINT_NOW is no date: write it as YYYY-MM-DD (it holds `{}`)",
                v.escape_debug()
            )
        }),
        _ => Ok(None),
    }
}

/// What the command line says of the run: the rules `--select` and
/// `--ignore` leave out, the day `--now` names, the version `--apim-version`
/// names.
pub(crate) fn settings(fa: &FixArgs, config: &mut Config) -> Result<(), String> {
    config.deselected = deselected(fa)?;
    config.now = now(fa)?;
    if let Some(v) = &fa.apim_version {
        config.set_apim_version(v)?;
    }
    Ok(())
}

/// The rules `--select` and `--ignore` leave out of the run: every rule
/// `--select` does not name (when given), and every rule `--ignore` names.
fn deselected(fa: &FixArgs) -> Result<std::collections::BTreeSet<String>, String> {
    let mut selected = std::collections::BTreeSet::new();
    for w in &fa.select {
        selected.extend(named_rules(w.trim(), "--select")?);
    }
    let mut ignored = std::collections::BTreeSet::new();
    for w in &fa.ignore {
        ignored.extend(named_rules(w.trim(), "--ignore")?);
    }
    Ok(rules::all()
        .map(|r| r.id)
        .filter(|id| (!fa.select.is_empty() && !selected.contains(id)) || ignored.contains(id))
        .map(str::to_owned)
        .collect())
}

/// `--select` names this rule by its id (and `--ignore` does not drop it):
/// a rule that is off by default is then on.
pub(crate) fn selects_by_id(fa: &FixArgs, id: &str) -> bool {
    fa.select.iter().any(|w| w.trim() == id) && !fa.ignore.iter().any(|w| w.trim() == id)
}

/// The deployments of `paths` (see `apimlint_core::analysis::project::plan`).
pub(crate) fn plan(
    paths: &[std::path::PathBuf],
    config: Option<&Path>,
    exclude: &[String],
) -> Result<(Vec<Unit>, std::path::PathBuf), String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let units = apimlint_core::analysis::project::plan(&DiskFs, &cwd, paths, config, exclude)?;
    Ok((units, cwd))
}
