//! `unused-suppression`: an `# apimlint: allow(…)` comment that silenced
//! nothing. Suppressions need every other rule's findings, so `run` is
//! `suppress::apply`, after the rules ran: it gives the driver the
//! [`Wanting::Unused`] states, which this rule says and fixes.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::files::FileId;
use crate::base::text::did_you_mean;
use crate::config::{Config, Level};
use crate::suppress::{Suppression, Wanting};

declare_rule! {
    id: "unused-suppression",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Suppressions,
}

/// An entry that silenced nothing, as `suppress::apply` found it.
struct Unused<'s> {
    file: FileId,
    text: &'s str,
    comment: &'s Suppression,
    id: &'s str,
    range: std::ops::Range<usize>,
    /// Every entry of the comment that silences nothing.
    unused: &'s [usize],
}

impl Unused<'_> {
    /// No entry of the comment silences anything: the comment goes.
    fn all(&self) -> bool {
        self.unused.len() == self.comment.rules.len()
    }
}

fn unused<'s>(w: &'s Wanting<'_>) -> Option<Unused<'s>> {
    let Wanting::Unused {
        file,
        text,
        comment,
        entry,
        unused,
    } = w
    else {
        return None;
    };
    let (id, range) = comment.rules.get(*entry)?;
    Some(Unused {
        file: *file,
        text,
        comment,
        id,
        range: range.clone(),
        unused,
    })
}

/// The finding for a [`Wanting::Unused`] state (`None` for other states).
pub(crate) fn diagnostic(config: &Config, w: &Wanting<'_>) -> Option<Diagnostic> {
    let u = unused(w)?;
    let id = u.id;
    let known = crate::rules::by_id(id).is_some();
    let message = if !known {
        format!("`{id}` is no apimlint rule: this suppression silences nothing")
    } else if config.level(id) == Some(Level::Off) {
        format!("`{id}` is turned off in apimlint.toml: this suppression silences nothing")
    } else {
        format!(
            "`{id}` reports nothing {}: this suppression silences nothing",
            u.comment.reach()
        )
    };
    let d = Diagnostic::new(&RULE, u.file, u.range.clone(), message).key(
        format!("suppression.{}[{id}]", u.comment.scope_name()),
        Some(id),
    );
    let meant = (!known)
        .then(|| did_you_mean(id, crate::rules::ids(), 3))
        .flatten();
    Some(match meant {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None if u.all() => d.help("remove the comment"),
        None => d.help(format!("remove `{id}` from the comment")),
    })
}

/// Its fix: remove the comment, or the entries that silence nothing.
pub(crate) fn action(w: &Wanting<'_>) -> Option<Fix> {
    let u = unused(w)?;
    let s = u.comment;
    let edit = if u.all() {
        Edit {
            file: u.file,
            range: s.removal.clone(),
            new_text: String::new(),
        }
    } else {
        // rewrite the list with the entries that are used
        let first = s.rules.first()?.1.start;
        let last = s.rules.last()?.1.end;
        let kept: Vec<&str> = s
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| !u.unused.contains(i))
            .map(|(_, (id, _))| id.as_str())
            .collect();
        u.text.get(first..last)?;
        Edit {
            file: u.file,
            range: first..last,
            new_text: kept.join(", "),
        }
    };
    Some(Fix {
        title: if u.all() {
            "Remove the unused suppression".to_owned()
        } else {
            format!("Remove `{}` from the suppression", u.id)
        },
        applicability: Applicability::Safe,
        edits: vec![edit],
    })
}
