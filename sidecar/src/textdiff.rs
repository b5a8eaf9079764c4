//! Line diffs, with the `similar` crate: the counts a changed-file list shows, the hunks a
//! permission card shows, and the unified diff the model reads when the user edited its proposal.
//! Every diff has a deadline, so a pathological input costs a coarser diff, never a stall.

use crate::protocol::review::{DiffHunk, ProposalDiff};
use similar::{ChangeTag, DiffTag, TextDiff};
use std::time::Duration;

/// How long one diff may take before `similar` settles for a coarser (still correct) answer.
const DEADLINE: Duration = Duration::from_millis(300);

fn diff<'a>(old: &'a str, new: &'a str) -> TextDiff<'a, 'a, str> {
    TextDiff::configure().timeout(DEADLINE).diff_lines(old, new)
}

/// Lines added and removed from `old` to `new`.
pub fn line_counts(old: &str, new: &str) -> (u32, u32) {
    let (mut added, mut removed) = (0usize, 0usize);
    for op in diff(old, new).ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {}
            DiffTag::Insert => added += new_range.len(),
            DiffTag::Delete => removed += old_range.len(),
            DiffTag::Replace => {
                added += new_range.len();
                removed += old_range.len();
            }
        }
    }
    (added.min(u32::MAX as usize) as u32, removed.min(u32::MAX as usize) as u32)
}

/// The hunks of a change with three lines of context, stopping after `max_lines` lines (the
/// counts are always complete).
pub fn hunks(old: &str, new: &str, max_lines: usize) -> ProposalDiff {
    let diff = diff(old, new);
    let (added, removed) = line_counts(old, new);
    let mut hunks = Vec::new();
    let mut shown = 0usize;
    let mut truncated = false;
    'groups: for group in diff.grouped_ops(3) {
        let Some(first) = group.first() else { continue };
        let mut hunk = DiffHunk { old_start: first.old_range().start as u32 + 1, new_start: first.new_range().start as u32 + 1, lines: Vec::new() };
        for op in &group {
            for change in diff.iter_changes(op) {
                if shown >= max_lines {
                    truncated = true;
                    if !hunk.lines.is_empty() {
                        hunks.push(hunk);
                    }
                    break 'groups;
                }
                let sign = match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Insert => '+',
                    ChangeTag::Delete => '-',
                };
                let text = change.value().trim_end_matches(['\n', '\r']);
                hunk.lines.push(format!("{sign}{text}"));
                shown += 1;
            }
        }
        hunks.push(hunk);
    }
    ProposalDiff { added, removed, hunks, truncated }
}

/// A unified diff from `old` to `new` with file labels, as `diff -u` prints it.
pub fn unified(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    diff(old, new).unified_diff().context_radius(3).header(old_label, new_label).to_string()
}

/// How many lines `text` has (a last line without a newline counts).
pub fn line_count(text: &str) -> u32 {
    text.lines().count().min(u32::MAX as usize) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_hunks_of_a_small_change() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\n";
        assert_eq!(line_counts(old, new), (2, 1));
        let diff = hunks(old, new, 100);
        assert_eq!((diff.added, diff.removed, diff.truncated), (2, 1, false));
        assert_eq!(diff.hunks.len(), 1, "changes within six lines share a hunk");
        assert_eq!(diff.hunks[0].old_start, 1);
        assert_eq!(diff.hunks[0].lines, [" a", " b", " c", "-d", "+D", " e", " f", " g", " h", "+i"]);
    }

    #[test]
    fn a_long_diff_is_cut_but_counted() {
        let old: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let new: String = (0..1000).map(|i| format!("LINE {i}\n")).collect();
        let diff = hunks(&old, &new, 50);
        assert!(diff.truncated);
        assert_eq!((diff.added, diff.removed), (1000, 1000));
        assert_eq!(diff.hunks.iter().map(|h| h.lines.len()).sum::<usize>(), 50);
    }

    #[test]
    fn a_new_file_is_all_additions_and_unified_diffs_have_headers() {
        assert_eq!(line_counts("", "x\ny\n"), (2, 0));
        let text = unified("a\nb\n", "a\nc\n", "proposed", "accepted");
        assert!(text.starts_with("--- proposed\n+++ accepted\n"), "{text}");
        assert!(text.contains("-b\n+c\n"), "{text}");
    }
}
