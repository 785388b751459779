//! Fixes written into a manifest: the edits of a node's TOML text as edits
//! of the YAML file that holds it, where that maps exactly — the TOML sits
//! in a literal block scalar (`|`, `|-`, `|+`) of a ConfigMap. Everything
//! else (folded or quoted scalars, which `toYaml` writes; Secrets; base64
//! `binaryData`; standard input) is generated or secret, and the fix is
//! only listed.
//!
//! An edit is widened to the whole lines of the block it touches, and those
//! lines are written again with the block's indentation, then narrowed to
//! the bytes that change; no other byte of the manifest changes. The result
//! is checked by parsing the block again (the header line through the
//! block's last line, on its own): its value must be exactly the fixed
//! TOML, else nothing is written.

use std::borrow::Cow;
use std::ops::Range;

use super::{Origin, STDIN_NAME};
use crate::base::edit::{Edit, splice};
use crate::base::text::LineIndex;
use crate::yaml::{self, Style, Value};

/// One replacement in a manifest's text (bytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ManifestEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

impl Origin {
    /// Whether fixes of this node could be written into its manifest at
    /// all; `Err` says why not.
    pub fn writable(&self) -> Result<(), String> {
        if !self.inline {
            return Ok(());
        }
        if self.manifest.path.file_name() == Some(STDIN_NAME.as_ref()) {
            return Err("it was read from standard input".to_owned());
        }
        if self.kind != "ConfigMap" {
            return Err(format!(
                "it is held by a {}, which apimlint never rewrites",
                self.kind
            ));
        }
        if !self.verbatim() {
            return Err(
                "its TOML is not in a literal block scalar (`|`): the manifest is generated, fix the chart's values or template instead"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// The edits of the node's text `toml` (sorted, disjoint) as edits of
    /// the manifest, or why they cannot be written.
    pub(crate) fn manifest_edits(
        &self,
        toml: &str,
        edits: &[&Edit],
    ) -> Result<Vec<ManifestEdit>, String> {
        self.writable()?;
        let src: &str = &self.manifest.text;
        let misfit = || "the edit does not map exactly onto the block".to_owned();
        let mut sorted: Vec<&Edit> = edits.to_vec();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let fixed = apply_all(toml, &sorted).ok_or_else(misfit)?;
        // a block left without a line of content takes its indentation
        // from whatever follows (a comment line would become its text)
        if fixed.trim().is_empty() {
            return Err("the fix would leave the block empty".to_owned());
        }
        let block = Block::find(src, self, toml).ok_or_else(misfit)?;
        let mut out: Vec<ManifestEdit> = Vec::new();
        for cluster in clusters(toml, &sorted) {
            out.extend(
                block
                    .rewrite(src, self, toml, &cluster)
                    .ok_or_else(misfit)?,
            );
        }
        // the block parsed on its own must hold exactly the fixed text
        let new_src = apply_manifest(src, &out).ok_or_else(misfit)?;
        let delta = new_src.len() as isize - src.len() as isize;
        let end = block.end.checked_add_signed(delta).ok_or_else(misfit)?;
        let snippet = new_src.get(block.header_line..end).ok_or_else(misfit)?;
        match reparsed(snippet) {
            Some(v) if v == fixed => Ok(out),
            _ => Err("the fixed text would not read back the same from the block".to_owned()),
        }
    }
}

/// The literal block scalar of a node in its manifest.
struct Block {
    /// The start of the line holding the `|` header.
    header_line: usize,
    /// Just after the block's last line (blank lines included).
    end: usize,
    /// The indentation of its content lines.
    indent: usize,
    /// The line break the manifest uses there.
    newline: &'static str,
}

impl Block {
    fn find(src: &str, o: &Origin, toml: &str) -> Option<Block> {
        let first = toml
            .split_inclusive('\n')
            .scan(0usize, |at, l| {
                let start = *at;
                *at += l.len();
                Some((start, l))
            })
            .find(|(_, l)| !l.trim().is_empty())?
            .0;
        let lines = o.manifest.lines();
        let at = o.map.map(first);
        let indent = at.checked_sub(line_start(lines, at))?;
        let hdr = yaml::header(src, o.span.start)?;
        let header_line = line_start(lines, hdr);
        // the block ends at the first non-blank line indented less
        let mut end = src
            .get(hdr..)?
            .find('\n')
            .map_or(src.len(), |p| hdr + p + 1);
        while end < src.len() {
            let rest = src.get(end..)?;
            let raw = rest.split_inclusive('\n').next()?;
            let line = raw.trim_end_matches(['\n', '\r']);
            let lead = line.len() - line.trim_start_matches(' ').len();
            if !line.trim().is_empty() && lead < indent {
                break;
            }
            end += raw.len();
        }
        let newline = if src.get(header_line..end)?.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        Some(Block {
            header_line,
            end,
            indent,
            newline,
        })
    }

    /// One cluster of edits (`lines`: the value lines it covers, the edits
    /// inside) as manifest edits of those lines: one per edit, each narrowed
    /// to the bytes it changes (never the text between two edits of one
    /// line, which may hold a secret); `None` when they do not map exactly.
    fn rewrite(
        &self,
        src: &str,
        o: &Origin,
        toml: &str,
        c: &Cluster<'_>,
    ) -> Option<Vec<ManifestEdit>> {
        let (ls, le) = (c.lines.start, c.lines.end);
        let lines = o.manifest.lines();
        // where those lines sit in the manifest; `eof`: the block's last line
        // ends the file without a line break
        let (start, lead) = if ls < toml.len() {
            (line_start(lines, o.map.map(ls)), false)
        } else {
            // after the last line: the line after the block's content
            match next_line(lines, o.map.map(ls.checked_sub(1)?)) {
                Some(n) => (n, false),
                None => (src.len(), true),
            }
        };
        let (end, eof) = if le == ls {
            (start, lead)
        } else if toml.as_bytes().get(le - 1) == Some(&b'\n') {
            match next_line(lines, o.map.map(le - 1)) {
                Some(n) => (n, false),
                None => (src.len(), true),
            }
        } else {
            let c = toml.get(..le)?.chars().next_back()?;
            (o.map.map(le - c.len_utf8()) + c.len_utf8(), false)
        };
        let old = src.get(start..end.max(start))?;
        let render = |edits: &[&Edit]| -> Option<String> {
            let local: Vec<Edit> = edits
                .iter()
                .map(|e| Edit {
                    file: e.file,
                    range: e.range.start - ls..e.range.end - ls,
                    new_text: e.new_text.clone(),
                })
                .collect();
            let refs: Vec<&Edit> = local.iter().collect();
            let new_seg = apply_all(toml.get(ls..le)?, &refs)?;
            let mut text = String::with_capacity(new_seg.len() + 16);
            if lead && !new_seg.is_empty() {
                text.push_str(self.newline);
            }
            for piece in new_seg.split_inclusive('\n') {
                let line = piece.strip_suffix('\n').unwrap_or(piece);
                if line.contains('\r') {
                    return None;
                }
                if !line.is_empty() {
                    text.extend(std::iter::repeat_n(' ', self.indent));
                    text.push_str(line);
                }
                if piece.ends_with('\n') {
                    text.push_str(self.newline);
                }
            }
            // the file had no final line break: it still has none
            if eof {
                text.truncate(text.trim_end_matches(['\n', '\r']).len());
            }
            Some(text)
        };
        let all = render(&c.edits)?;
        if c.edits.len() == 1 {
            return Some(vec![narrowed(old, start, all)?]);
        }
        let each: Vec<ManifestEdit> = c
            .edits
            .iter()
            .map(|e| narrowed(old, start, render(&[e])?))
            .collect::<Option<_>>()?;
        // the edits one by one must give what they give together
        let disjoint = each.windows(2).all(|w| match w {
            [a, b] => a.range.end <= b.range.start && a.range != b.range,
            _ => true,
        });
        let local: Vec<ManifestEdit> = each
            .iter()
            .map(|e| ManifestEdit {
                range: e.range.start - start..e.range.end - start,
                new_text: e.new_text.clone(),
            })
            .collect();
        (disjoint && apply_manifest(old, &local).as_deref() == Some(all.as_str())).then_some(each)
    }
}

/// The replacement of `old` (at `at`) by `new`, less the bytes they share at
/// either end: only what changes is written and shown (never the rest of
/// a line, which may hold a secret).
fn narrowed(old: &str, at: usize, new: String) -> Option<ManifestEdit> {
    let mut pre = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(pre) || !new.is_char_boundary(pre) {
        pre -= 1;
    }
    let room = old.len().min(new.len()) - pre;
    let mut suf = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suf) || !new.is_char_boundary(new.len() - suf) {
        suf -= 1;
    }
    Some(ManifestEdit {
        range: at + pre..at + old.len() - suf,
        new_text: new.get(pre..new.len() - suf)?.to_owned(),
    })
}

/// Edits whose widened lines touch, taken together.
struct Cluster<'a> {
    lines: Range<usize>,
    edits: Vec<&'a Edit>,
}

fn clusters<'a>(toml: &str, sorted: &[&'a Edit]) -> Vec<Cluster<'a>> {
    let mut out: Vec<Cluster<'a>> = Vec::new();
    for e in sorted {
        let s = e.range.start.min(toml.len());
        let end = e.range.end.clamp(s, toml.len());
        let ls = toml
            .get(..s)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |p| p + 1);
        let le = if end == ls && s == ls && end == toml.len() {
            end
        } else {
            // the end of the line holding the edit's last byte (an insertion
            // at a line's start takes that line)
            let from = if end > s { end - 1 } else { end };
            toml.get(from..)
                .and_then(|t| t.find('\n'))
                .map_or(toml.len(), |p| from + p + 1)
        };
        match out.last_mut() {
            Some(c) if ls < c.lines.end || (ls == c.lines.start && le == c.lines.end) => {
                c.lines.end = c.lines.end.max(le);
                c.edits.push(e);
            }
            _ => out.push(Cluster {
                lines: ls..le,
                edits: vec![e],
            }),
        }
    }
    out
}

/// `text` with sorted, disjoint edits applied (`None` if they are not).
fn apply_all(text: &str, sorted: &[&Edit]) -> Option<String> {
    splice(
        text,
        sorted
            .iter()
            .map(|e| (e.range.clone(), Cow::Borrowed(e.new_text.as_str()))),
    )
    .map(|(t, _)| t)
}

/// `text` with sorted, disjoint manifest edits applied.
pub(crate) fn apply_manifest(text: &str, edits: &[ManifestEdit]) -> Option<String> {
    splice(
        text,
        edits
            .iter()
            .map(|e| (e.range.clone(), Cow::Borrowed(e.new_text.as_str()))),
    )
    .map(|(t, _)| t)
}

/// The start of the line holding byte `at`.
fn line_start(lines: &LineIndex, at: usize) -> usize {
    lines.line_start(lines.line_of(at))
}

/// The start of the line after the one holding byte `at`, if one follows.
fn next_line(lines: &LineIndex, at: usize) -> Option<usize> {
    let next = lines.line_of(at) + 1;
    (next < lines.line_count()).then(|| lines.line_start(next))
}

/// The value of the one literal block scalar of a snippet (a header line
/// and its block), if it parses.
fn reparsed(snippet: &str) -> Option<String> {
    let docs = yaml::parse_stream(snippet).ok()?;
    let [Some(doc)] = docs.as_slice() else {
        return None;
    };
    let s: &yaml::Scalar = match doc {
        Value::Scalar(s) => s,
        Value::Map(entries, _) => match entries.as_slice() {
            [(_, Value::Scalar(s))] => s,
            _ => return None,
        },
        Value::Seq(items, _) => match items.as_slice() {
            [Value::Scalar(s)] => s,
            _ => return None,
        },
        Value::Alias(_) => return None,
    };
    let map = yaml::offset_map(snippet, s);
    (s.style == Style::Literal && map.exact && map.verbatim).then(|| s.value.clone())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::base::files::FileId;

    const MANIFEST: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: gw
data:
  deployment.toml: |
    [server]
    hostname = \"gw\"

    [apim.throttling]
    enable_data_publishing = true
  other: x
";

    fn origin(text: &str) -> (String, Origin) {
        let ex = super::super::extract(Path::new("/d/m.yaml"), text, None, None, false);
        let (_, content, o) = ex.nodes.into_iter().next().expect("a node");
        (content.expect("text"), o)
    }

    fn edit(range: Range<usize>, t: &str) -> Edit {
        Edit {
            file: FileId(0),
            range,
            new_text: t.to_owned(),
        }
    }

    /// Apply `edits` of the node's TOML to the manifest; the new manifest's
    /// node must read back as the TOML with the edits applied.
    fn written(text: &str, edits: &[Edit]) -> Result<String, String> {
        let (toml, o) = origin(text);
        let refs: Vec<&Edit> = edits.iter().collect();
        let out = o.manifest_edits(&toml, &refs)?;
        let new = apply_manifest(text, &out).expect("applies");
        let (again, _) = origin(&new);
        assert_eq!(again, apply_all(&toml, &refs).expect("fits"));
        Ok(new)
    }

    #[test]
    fn a_value_replaced_inside_a_line() {
        let (toml, _) = origin(MANIFEST);
        let at = toml.find("true").expect("true");
        let new = written(MANIFEST, &[edit(at..at + 4, "false")]).expect("written");
        assert_eq!(new, MANIFEST.replace("= true", "= false"));
    }

    #[test]
    fn lines_inserted_get_the_block_indentation() {
        let (toml, _) = origin(MANIFEST);
        let at = toml.find("[apim").expect("table");
        let new = written(MANIFEST, &[edit(at..at, "[a]\nb = 1\n\n")]).expect("written");
        assert!(
            new.contains("\n    [a]\n    b = 1\n\n    [apim.throttling]\n"),
            "{new}"
        );
        // at the very end of the block
        let end = toml.len();
        let new = written(MANIFEST, &[edit(end..end, "\n[z]\nk = 2\n")]).expect("written");
        assert!(
            new.ends_with("= true\n\n    [z]\n    k = 2\n  other: x\n"),
            "{new}"
        );
    }

    #[test]
    fn a_line_removed_and_two_edits_on_one_line() {
        let (toml, _) = origin(MANIFEST);
        let s = toml.find("hostname").expect("key");
        let e = toml[s..].find('\n').map(|p| s + p + 1).expect("eol");
        let new = written(MANIFEST, &[edit(s..e, "")]).expect("written");
        assert!(!new.contains("hostname"));
        let q = toml.find("\"gw\"").expect("value");
        let new = written(
            MANIFEST,
            &[edit(s..s + 8, "host"), edit(q + 1..q + 3, "gateway")],
        )
        .expect("written");
        assert!(new.contains("    host = \"gateway\"\n"), "{new}");
    }

    #[test]
    fn an_edit_holds_only_what_changes_never_the_rest_of_its_line() {
        let text = MANIFEST.replace(
            "hostname = \"gw\"",
            "db = { user = \"wso2\", password = \"S3cr3tValue\" }",
        );
        let (toml, o) = origin(&text);
        let at = toml.find("wso2").expect("user");
        let e = edit(at..at + 4, "apim\nx");
        let out = o.manifest_edits(&toml, &[&e]).expect("written");
        assert!(
            out.iter().all(|m| !m.new_text.contains("S3cr3t")),
            "{out:?}"
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].new_text, "apim\n    x");
        // two edits of one line, the secret between them: an edit each
        let (a, b) = (
            toml.find("user").expect("user"),
            toml.find(" }").expect("end"),
        );
        let edits = [edit(a..a + 4, "username"), edit(b..b, ", x = 1")];
        let new = written(&text, &edits).expect("written");
        assert!(
            new.contains("username = \"wso2\", password = \"S3cr3tValue\", x = 1 }"),
            "{new}"
        );
        let refs: Vec<&Edit> = edits.iter().collect();
        let out = o.manifest_edits(&toml, &refs).expect("written");
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(
            out.iter().all(|m| !m.new_text.contains("S3cr3t")),
            "{out:?}"
        );
    }

    #[test]
    fn a_block_that_ends_the_file_without_a_line_break() {
        let text = MANIFEST.replace("  other: x\n", "");
        let text = text.trim_end_matches('\n').to_owned();
        let (toml, _) = origin(&text);
        let at = toml.find("true").expect("true");
        let new = written(&text, &[edit(at..at + 4, "false")]).expect("written");
        assert_eq!(new, text.replace("= true", "= false"));
        let end = toml.len();
        let new = written(&text, &[edit(end..end, "[z]\n")]).expect("written");
        assert!(new.ends_with("= true\n    [z]"), "{new:?}");
    }

    #[test]
    fn other_styles_and_holders_are_refused() {
        let quoted = "kind: ConfigMap\nmetadata: {name: a}\ndata:\n  deployment.toml: \"[server]\\nhostname = \\\"a\\\"\\n\"\n";
        let (toml, o) = origin(quoted);
        let e = edit(0..0, "# x\n");
        let why = o.manifest_edits(&toml, &[&e]).expect_err("refused");
        assert!(why.contains("literal block"), "{why}");
        let secret = MANIFEST
            .replace("ConfigMap", "Secret")
            .replace("data:", "stringData:");
        let (toml, o) = origin(&secret);
        let why = o.manifest_edits(&toml, &[&e]).expect_err("refused");
        assert!(why.contains("Secret"), "{why}");
    }

    #[test]
    fn an_edit_that_would_not_read_back_is_refused() {
        let (toml, o) = origin(MANIFEST);
        // the first line indented: the block's indentation would change
        let e = edit(0..0, "  ");
        assert!(o.manifest_edits(&toml, &[&e]).is_err());
        // two trailing line breaks under `|` (clip) read back as one
        let end = toml.len();
        let e = edit(end..end, "\n");
        assert!(o.manifest_edits(&toml, &[&e]).is_err());
        // a carriage return inside a line
        let e = edit(0..0, "# a\rb\n");
        assert!(o.manifest_edits(&toml, &[&e]).is_err());
    }

    #[test]
    fn chomping_and_crlf_blocks() {
        for (header, tail) in [("|-", ""), ("|+", "\n\n"), ("|2", "")] {
            let text = format!(
                "kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  deployment.toml: {header}\n    [server]\n    offset = 1\n{tail}  k: v\n"
            );
            let (toml, _) = origin(&text);
            let at = toml.find('1').expect("1");
            let new = written(&text, &[edit(at..at + 1, "2")]).expect("written");
            assert_eq!(new, text.replace("offset = 1", "offset = 2"));
        }
        let crlf = MANIFEST.replace('\n', "\r\n");
        let (toml, _) = origin(&crlf);
        let at = toml.find("[apim").expect("table");
        let new = written(&crlf, &[edit(at..at, "[a]\n")]).expect("written");
        assert!(new.contains("\r\n    [a]\r\n    [apim"), "{new:?}");
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        /// A block's lines: TOML-ish text, blank lines, lines with inner
        /// and trailing spaces, a non-ASCII letter.
        fn lines() -> impl Strategy<Value = Vec<String>> {
            proptest::collection::vec("[a-z =\\[\\]\"#é]{0,12}|[ ]{0,3}", 1..7)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Any edit of a literal block's text is either refused or
            /// written so that the manifest reads back as exactly the
            /// edited text, with no byte outside the block changed.
            #[test]
            fn written_edits_read_back_exactly(
                body in lines(),
                chomp in prop::sample::select(vec!["|", "|-", "|+"]),
                tail in prop::sample::select(vec!["", "\n", "\n\n"]),
                a in 0usize..200,
                b in 0usize..200,
                new in "[a-z =\\n#]{0,10}",
            ) {
                let block: String = body
                    .iter()
                    .map(|l| if l.trim().is_empty() { "\n".to_owned() } else { format!("    {l}\n") })
                    .collect();
                let text = format!(
                    "kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  deployment.toml: {chomp}\n{block}{tail}  k: v\n"
                );
                let ex = super::super::super::extract(Path::new("/d/m.yaml"), &text, None, None, false);
                let Some((_, Ok(toml), o)) = ex.nodes.into_iter().next() else {
                    return Ok(());
                };
                let mut cuts = [a % (toml.len() + 1), b % (toml.len() + 1)];
                cuts.sort_unstable();
                if !toml.is_char_boundary(cuts[0]) || !toml.is_char_boundary(cuts[1]) {
                    return Ok(());
                }
                let e = edit(cuts[0]..cuts[1], &new);
                let Ok(out) = o.manifest_edits(&toml, &[&e]) else {
                    return Ok(());
                };
                let written = apply_manifest(&text, &out).unwrap();
                let ex = super::super::super::extract(Path::new("/d/m.yaml"), &written, None, None, false);
                let (_, again, _) = ex.nodes.into_iter().next().unwrap();
                prop_assert_eq!(again.unwrap(), apply_all(&toml, &[&e]).unwrap());
                let head = text.find("  deployment.toml").unwrap();
                prop_assert_eq!(&written[..head], &text[..head]);
                prop_assert!(written.ends_with("  k: v\n"));
            }
        }
    }
}
