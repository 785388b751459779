//! What leaves for a terminal, a CI log or a SARIF viewer is data, never a
//! command: one escaping function per output channel. Findings' texts are
//! made from values of the user's files (a directory name, a TOML string
//! with `\u001b`, a byte of a line that does not parse); the renderers pass
//! every such text through here at the point of output.
//!
//! * terminal (human, compact, the graph's DOT and Mermaid labels):
//!   [`terminal`] for one-line texts, [`excerpt`] for the source lines
//!   miette shows (same byte length, so spans stay valid);
//! * GitHub workflow commands: [`github_data`], [`github_property`], and
//!   the human report after them is fenced by `::stop-commands::`
//!   (`super::github`);
//! * SARIF: [`sarif_text`].

use std::borrow::Cow;
use std::fmt::Write;

/// A character a terminal or a log viewer would obey rather than show:
/// C0 controls (ESC, BEL, CR, backspace…), DEL, C1 controls (`U+009B` is a
/// one-character CSI), and the bidirectional overrides and isolates that
/// reorder what is shown ("trojan source").
fn obeyed(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

fn visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// Every character in `s` that `keep` does not keep and a terminal would
/// obey, written visibly (`\u{1b}`, `\n`).
fn escape_with(s: &str, keep: impl Fn(char, Option<char>) -> bool) -> Cow<'_, str> {
    let bad = |(i, c): (usize, char)| {
        obeyed(c) && !keep(c, s.get(i + c.len_utf8()..).and_then(|r| r.chars().next()))
    };
    if !s.char_indices().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        if bad((i, c)) {
            visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A one-line text for a terminal (a message, a help, a file name, a node
/// id): every control character shown escaped, newlines and tabs included,
/// so a value can neither colour, move, retitle nor add a line.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_with(s, |_, _| false)
}

/// A text whose newlines are structure (a report's summary, a diff): every
/// control character but `\n`, `\t` and the `\r` of `\r\n` shown escaped.
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape_with(s, |c, next| {
        c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'))
    })
}

/// The source lines around a finding as miette shows them: each byte of a
/// character a terminal would obey becomes `?`, so that offsets and
/// lengths stay those of the file. Tabs and line breaks (`\n`, `\r\n`) are
/// kept: miette lays them out.
pub fn excerpt(s: &str) -> Cow<'_, str> {
    let bad = |i: usize, c: char| {
        obeyed(c)
            && c != '\t'
            && c != '\n'
            && !(c == '\r' && s.as_bytes().get(i + 1) == Some(&b'\n'))
    };
    if !s.char_indices().any(|(i, c)| bad(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if bad(i, c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The data (message) of a GitHub workflow command: `%`, CR and LF
/// percent-encoded as the runner decodes them, other control characters
/// shown escaped (the log is a terminal too).
pub fn github_data(s: &str) -> String {
    escape_with(s, |c, _| c == '\n' || c == '\r')
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a GitHub workflow command (`file=`, `title=`): as
/// data, and `:` and `,`, which end a property.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF `text` (a message, a snippet): JSON escapes every control
/// character, but viewers print the decoded text; show them escaped, keep
/// the line breaks and tabs a text may have.
pub fn sarif_text(s: &str) -> Cow<'_, str> {
    escape_with(s, |c, next| {
        c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_shows_controls_escaped() {
        assert_eq!(
            terminal("a\u{1b}[31mb\u{7}\nc\u{9b}d\u{202e}"),
            "a\\u{1b}[31mb\\u{7}\\nc\\u{9b}d\\u{202e}"
        );
        assert!(matches!(terminal("plain ü"), Cow::Borrowed(_)));
        assert_eq!(terminal_lines("a\r\nb\u{1b}\rc"), "a\r\nb\\u{1b}\\rc");
    }

    #[test]
    fn excerpt_keeps_offsets() {
        let s = "a\u{1b}b\u{9b}c\r\nd\re\u{202e}\tf\n";
        let e = excerpt(s);
        assert_eq!(e.len(), s.len());
        assert_eq!(e, "a?b??c\r\nd?e???\tf\n");
    }

    #[test]
    fn github_follows_the_workflow_command_rules() {
        assert_eq!(github_data("50% a\nb\r"), "50%25 a%0Ab%0D");
        assert_eq!(github_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(github_data("x\u{1b}]0;t\u{7}"), "x\\u{1b}]0;t\\u{7}");
    }

    #[test]
    fn sarif_keeps_line_breaks() {
        assert_eq!(sarif_text("a\nhelp: b\u{1b}"), "a\nhelp: b\\u{1b}");
    }
}
