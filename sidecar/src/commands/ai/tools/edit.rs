//! edit_file: replace `old_string` with `new_string` in a file, tolerating the ways models
//! misquote code.
//!
//! Matching tries, in order, and stops at the first strategy that finds anything:
//! 1. exact text;
//! 2. the text trimmed of surrounding whitespace;
//! 3. line by line ignoring each line's indentation and trailing spaces (the replacement is
//!    re-indented to the file's indentation);
//! 4. block anchors: the first and last lines match and at least half of the lines between them
//!    appear in the window (for blocks the model half-remembers).
//!
//! One match is replaced; several are an error naming the count, unless `replace_all` is set.
//! The result is a proposal of the whole new file (`propose_edit`), written by `change::apply`
//! once the user accepted.

use super::change::Change;
use super::files::{display_path, refuse_git};
use super::{bool_arg, confined, path_arg, str_arg, ToolContext};
use crate::confine::RelPath;
use crate::editor;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Exact,
    Trimmed,
    Indentation,
    BlockAnchor,
}

#[derive(Debug, PartialEq, Eq)]
pub enum EditError {
    NotFound,
    Ambiguous(usize),
}

/// edit_file's proposal: the edit applied to the file's current text (the editor's when it is
/// open). Nothing is written here (see `change::apply`); an edit that cannot apply fails at once,
/// without asking the user.
pub async fn propose_edit(context: &ToolContext, args: &Value) -> Result<Change, String> {
    let raw = path_arg(args).ok_or("Invalid arguments: missing \"path\"")?;
    let old = str_arg(args, &["old_string", "old_str", "oldString", "search"]).ok_or("Invalid arguments: missing \"old_string\"")?;
    let new = str_arg(args, &["new_string", "new_str", "newString", "replace"]).ok_or("Invalid arguments: missing \"new_string\"")?;
    let replace_all = bool_arg(args, &["replace_all", "replaceAll"]);
    let shown = display_path(&raw);
    if old.is_empty() {
        return Err(format!("old_string is empty; to replace all of {shown} use write_file"));
    }
    if old == new {
        return Err("old_string and new_string are the same; nothing would change".into());
    }
    let path = RelPath::parse(&raw).map_err(|err| err.message)?;
    let checked = path.clone();
    confined(context, move |root| refuse_git(root, &checked)).await?;
    let root = context.workspace.root().map_err(|err| err.message.clone())?;
    let current = editor::read_current(&context.editors, root, &path).await?;
    let before = match current.bytes() {
        None => return Err(format!("{shown} does not exist; use write_file to create it")),
        Some(bytes) => std::str::from_utf8(bytes).map_err(|_| format!("{shown} is a binary file; edit_file only changes text"))?.to_string(),
    };
    let (after, strategy) = apply_edit(&before, &old, &new, replace_all).map_err(|err| match err {
        EditError::NotFound => format!(
            "old_string was not found in {shown} (also tried ignoring surrounding whitespace and indentation). read_file it and copy the exact lines, or use write_file to replace the whole file."
        ),
        EditError::Ambiguous(count) => format!(
            "old_string matches {count} places in {shown}; include more surrounding lines to pick one, or set replace_all to true."
        ),
    })?;
    let note = match strategy {
        Strategy::Exact => "",
        Strategy::Trimmed => " (matched ignoring surrounding whitespace)",
        Strategy::Indentation => " (matched ignoring indentation; the new text was re-indented)",
        Strategy::BlockAnchor => " (matched by its first and last lines; check the result with read_file)",
    };
    Ok(Change { tool: "edit_file", path, shown, current, content: after, note: note.to_string() })
}

/// Applies the edit to `content`. Pure, for tests.
pub fn apply_edit(content: &str, old: &str, new: &str, replace_all: bool) -> Result<(String, Strategy), EditError> {
    // 1. Exact.
    let exact: Vec<(usize, usize)> = content.match_indices(old).map(|(at, text)| (at, at + text.len())).collect();
    if !exact.is_empty() {
        return replace(content, &exact, |_| new.to_string(), replace_all).map(|text| (text, Strategy::Exact));
    }
    let crlf = content.contains("\r\n");
    let new_text = if crlf && !new.contains("\r\n") { new.replace('\n', "\r\n") } else { new.to_string() };

    // 2. Trimmed.
    let (old_trimmed, new_trimmed) = (old.trim(), new_text.trim());
    if !old_trimmed.is_empty() && old_trimmed != old {
        let found: Vec<(usize, usize)> = content.match_indices(old_trimmed).map(|(at, text)| (at, at + text.len())).collect();
        if !found.is_empty() {
            return replace(content, &found, |_| new_trimmed.to_string(), replace_all).map(|text| (text, Strategy::Trimmed));
        }
    }

    // 3 and 4 work on lines.
    let lines = line_spans(content);
    let (old_lines, new_lines) = trim_blank_edges(old, &new_text);
    if old_lines.is_empty() {
        return Err(EditError::NotFound);
    }
    let reindented = |start_line: usize| reindent(&new_lines, indent_of(old_lines[0]), indent_of(&content[lines[start_line].0..lines[start_line].1]), crlf);

    let same = |a: &str, b: &str| a.trim() == b.trim();
    let indentation: Vec<(usize, usize)> = (0..lines.len().saturating_sub(old_lines.len() - 1))
        .filter(|&i| old_lines.iter().enumerate().all(|(k, line)| same(&content[lines[i + k].0..lines[i + k].1], line)))
        .map(|i| (i, i + old_lines.len() - 1))
        .collect();
    if !indentation.is_empty() {
        let spans: Vec<(usize, usize)> = indentation.iter().map(|&(i, j)| (lines[i].0, lines[j].1)).collect();
        return replace(content, &spans, |n| reindented(indentation[n].0), replace_all).map(|text| (text, Strategy::Indentation));
    }

    if old_lines.len() >= 3 {
        let windows = block_anchor_windows(content, &lines, &old_lines);
        if !windows.is_empty() {
            let spans: Vec<(usize, usize)> = windows.iter().map(|&(i, j)| (lines[i].0, lines[j].1)).collect();
            return replace(content, &spans, |n| reindented(windows[n].0), replace_all).map(|text| (text, Strategy::BlockAnchor));
        }
    }
    Err(EditError::NotFound)
}

/// Replaces the one span (or every span with `replace_all`), building each replacement with
/// `make(index)`.
fn replace(content: &str, spans: &[(usize, usize)], make: impl Fn(usize) -> String, replace_all: bool) -> Result<String, EditError> {
    if spans.len() > 1 && !replace_all {
        return Err(EditError::Ambiguous(spans.len()));
    }
    let mut out = String::with_capacity(content.len());
    let mut cursor = 0;
    for (index, &(start, end)) in spans.iter().enumerate() {
        if start < cursor {
            continue; // overlapping windows: keep the first
        }
        out.push_str(&content[cursor..start]);
        out.push_str(&make(index));
        cursor = end;
    }
    out.push_str(&content[cursor..]);
    Ok(out)
}

/// Byte spans of each line, without the line break (`\n` or `\r\n`).
fn line_spans(content: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (at, _) in content.match_indices('\n') {
        let end = if at > start && content.as_bytes()[at - 1] == b'\r' { at - 1 } else { at };
        spans.push((start, end));
        start = at + 1;
    }
    if start < content.len() {
        spans.push((start, content.len()));
    }
    spans
}

/// The lines of `old` and `new` without the blank lines at their edges; `new` loses as many edge
/// blank lines as `old` had, so the line-based match replaces like for like.
fn trim_blank_edges<'a>(old: &'a str, new: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let old_all: Vec<&str> = old.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let lead = old_all.iter().take_while(|l| l.trim().is_empty()).count();
    if lead == old_all.len() {
        return (Vec::new(), Vec::new());
    }
    let trail = old_all.iter().rev().take_while(|l| l.trim().is_empty()).count();
    let old_lines = old_all[lead..old_all.len() - trail].to_vec();
    let mut new_lines: Vec<&str> = new.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let new_lead = new_lines.iter().take(lead).take_while(|l| l.trim().is_empty()).count();
    new_lines.drain(..new_lead);
    let new_trail = new_lines.iter().rev().take(trail).take_while(|l| l.trim().is_empty()).count();
    new_lines.truncate(new_lines.len() - new_trail);
    (old_lines, new_lines)
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// Moves `new` from the indentation `old_indent` to `file_indent`.
fn reindent(new: &[&str], old_indent: &str, file_indent: &str, crlf: bool) -> String {
    let lines: Vec<String> = new
        .iter()
        .map(|line| {
            if old_indent == file_indent || line.trim().is_empty() {
                return line.to_string();
            }
            let leading = indent_of(line).len();
            format!("{file_indent}{}", &line[leading.min(old_indent.len())..])
        })
        .collect();
    lines.join(if crlf { "\r\n" } else { "\n" })
}

/// Windows (first line, last line) whose first and last lines match `old`'s, of a similar length,
/// holding at least half of `old`'s middle lines; the best one, or all ties.
fn block_anchor_windows(content: &str, lines: &[(usize, usize)], old: &[&str]) -> Vec<(usize, usize)> {
    let text = |i: usize| content[lines[i].0..lines[i].1].trim();
    let (first, last) = (old[0].trim(), old[old.len() - 1].trim());
    if first.is_empty() || last.is_empty() {
        return Vec::new();
    }
    let middle: Vec<&str> = old[1..old.len() - 1].iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    let mut scored: Vec<(f64, usize, usize)> = Vec::new();
    for i in (0..lines.len()).filter(|&i| text(i) == first) {
        let longest = (i + old.len() * 2).min(lines.len());
        let Some(j) = (i + 2..longest).find(|&j| text(j) == last) else { continue };
        if j - i + 1 < old.len().div_ceil(2) {
            continue;
        }
        let window: Vec<&str> = (i + 1..j).map(text).collect();
        let score = if middle.is_empty() {
            1.0
        } else {
            middle.iter().filter(|line| window.contains(line)).count() as f64 / middle.len() as f64
        };
        if score >= 0.5 {
            scored.push((score, i, j));
        }
    }
    let best = scored.iter().map(|s| s.0).fold(0.0, f64::max);
    scored.into_iter().filter(|s| s.0 == best).map(|(_, i, j)| (i, j)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_ambiguous() {
        assert_eq!(apply_edit("a b a", "b", "c", false), Ok(("a c a".into(), Strategy::Exact)));
        assert_eq!(apply_edit("a b a", "a", "c", false), Err(EditError::Ambiguous(2)));
        assert_eq!(apply_edit("a b a", "a", "c", true), Ok(("c b c".into(), Strategy::Exact)));
        assert_eq!(apply_edit("abc", "x", "y", false), Err(EditError::NotFound));
    }

    #[test]
    fn trimmed_match() {
        let (text, strategy) = apply_edit("fn a() {}\n", "\n  fn a() {}  \n", "fn b() {}", false).unwrap();
        assert_eq!((text.as_str(), strategy), ("fn b() {}\n", Strategy::Trimmed));
    }

    #[test]
    fn indentation_flexible_match_reindents() {
        let file = "fn main() {\n    if x {\n        go();\n    }\n}\n";
        let old = "if x {\n    go();\n}\n";
        let new = "if y {\n    stop();\n}\n";
        let (text, strategy) = apply_edit(file, old, new, false).unwrap();
        assert_eq!(strategy, Strategy::Indentation);
        assert_eq!(text, "fn main() {\n    if y {\n        stop();\n    }\n}\n");
    }

    #[test]
    fn block_anchor_match() {
        let file = "start\nfn f() {\n  let a = 1;\n  let b = 2;\n  let c = 3;\n}\nend\n";
        let old = "fn f() {\n  let a = 1;\n  let bb = 22;\n  let c = 3;\n}";
        let (text, strategy) = apply_edit(file, old, "fn f() {}", false).unwrap();
        assert_eq!(strategy, Strategy::BlockAnchor);
        assert_eq!(text, "start\nfn f() {}\nend\n");
    }

    #[test]
    fn crlf_files_keep_their_line_breaks() {
        let file = "a\r\n  b\r\nc\r\n";
        let (text, _) = apply_edit(file, "a\nb\n", "x\ny\n", false).unwrap();
        assert_eq!(text, "x\r\ny\r\nc\r\n");
    }
}
