//! What `generate_inline` sends the model: the document cut to the model's context around the
//! cursor (the lines nearest it always kept), the related open files that still fit, and the
//! prompt text for each task — a fill-in-the-middle prefix and suffix, or an instruction asking
//! for one fenced code block (or search/replace blocks for a merge). Pure: no I/O.

use crate::protocol::ai::Message;
use crate::protocol::inline::{InlineRequest, InlineTask, RelatedFile};

/// Characters per token assumed when budgeting. Code tokenizes at 3–4 characters a token; 3 keeps
/// a prompt under the window when the real tokenizer is less kind.
const CHARS_PER_TOKEN: usize = 3;
/// Tokens kept free for the chat template and the prompt's own words.
const TEMPLATE_TOKENS: usize = 300;
/// The answer's room for `generate` (a function or two) and the least for the others.
const GENERATE_OUTPUT_TOKENS: usize = 1024;
const MIN_OUTPUT_TOKENS: usize = 256;
/// Related files longer than this are not sent (they would crowd out the document itself).
const MAX_RELATED_FILE_CHARS: usize = 24_000;
/// The part of the document budget that goes before the cursor; the rest goes after it.
const PREFIX_SHARE: f64 = 0.65;

/// The document as sent: the tail of the prefix and the head of the suffix, whole lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub prefix: String,
    pub suffix: String,
    /// Related files that fit, in the caller's order.
    pub related: Vec<RelatedFile>,
    /// What was left out, as a sentence for the user; None when everything was sent.
    pub note: Option<String>,
}

/// Cuts the request's document and related files to `context_tokens`. Fails with a sentence when
/// even the selection (or the file to merge) cannot fit.
pub fn fit(request: &InlineRequest, context_tokens: u32) -> Result<Window, String> {
    let context = context_tokens as usize;
    let fixed_chars = request.instruction.len() + request.selection.len() + request.fragment.as_deref().map_or(0, str::len);
    let fixed_tokens = fixed_chars.div_ceil(CHARS_PER_TOKEN);
    let output = match request.task {
        InlineTask::Generate => GENERATE_OUTPUT_TOKENS.min(context / 4),
        // A rewrite is about as long as what it replaces; a merge answer restates the fragment.
        InlineTask::Edit => (request.selection.len().div_ceil(CHARS_PER_TOKEN) + MIN_OUTPUT_TOKENS).max(MIN_OUTPUT_TOKENS),
        InlineTask::Merge => (2 * request.fragment.as_deref().map_or(0, str::len).div_ceil(CHARS_PER_TOKEN) + MIN_OUTPUT_TOKENS).max(MIN_OUTPUT_TOKENS),
    };
    let what = match request.task {
        InlineTask::Merge => "The file and the code to merge",
        _ => "The selection",
    };
    let Some(room) = context.checked_sub(fixed_tokens + output + TEMPLATE_TOKENS) else {
        return Err(format!(
            "{what} (about {} tokens, plus {output} for the answer) do not fit the model's {}-token context — select less, or pick a model with a larger context (prototyper.inline.model).",
            group(fixed_tokens),
            group(context)
        ));
    };
    let mut budget = room * CHARS_PER_TOKEN;
    let (prefix, suffix) = around_cursor(&request.prefix, &request.suffix, budget);
    budget -= prefix.len() + suffix.len();
    let offered = request.related_files.as_deref().unwrap_or_default();
    let mut related = Vec::new();
    for file in offered {
        let size = file.path.len() + file.content.len() + 16;
        if file.content.len() <= MAX_RELATED_FILE_CHARS && size <= budget {
            budget -= size;
            related.push(file.clone());
        }
    }

    let mut notes = Vec::new();
    if prefix.len() < request.prefix.len() || suffix.len() < request.suffix.len() {
        let whole = format!("{}{}{}", request.prefix, request.selection, request.suffix);
        let total = whole.lines().count();
        let first = 1 + count_lines(&request.prefix[..request.prefix.len() - prefix.len()]);
        let last = total - request.suffix[suffix.len()..].lines().count();
        let name = request.path.as_deref().filter(|p| !p.is_empty()).unwrap_or("the file");
        notes.push(format!(
            "Sent lines {}–{} of {} of {name} to fit the model's {}-token context.",
            group(first),
            group(last),
            group(total),
            group(context)
        ));
    }
    if related.len() < offered.len() {
        notes.push(format!("{} of {} open files were left out.", offered.len() - related.len(), offered.len()));
    }
    Ok(Window { prefix: prefix.to_string(), suffix: suffix.to_string(), related, note: (!notes.is_empty()).then(|| notes.join(" ")) })
}

/// The tail of `prefix` and the head of `suffix` within `budget` characters, cut at line
/// boundaries: about two thirds before the cursor, the rest after, and what one side does not
/// need goes to the other. The cursor's own line is kept whole whenever it fits at all.
pub fn around_cursor<'a>(prefix: &'a str, suffix: &'a str, budget: usize) -> (&'a str, &'a str) {
    if prefix.len() + suffix.len() <= budget {
        return (prefix, suffix);
    }
    let mut prefix_quota = ((budget as f64) * PREFIX_SHARE) as usize;
    let mut suffix_quota = budget - prefix_quota;
    if prefix.len() < prefix_quota {
        suffix_quota += prefix_quota - prefix.len();
        prefix_quota = prefix.len();
    } else if suffix.len() < suffix_quota {
        prefix_quota += suffix_quota - suffix.len();
        suffix_quota = suffix.len();
    }
    (tail_lines(prefix, prefix_quota), head_lines(suffix, suffix_quota))
}

/// The longest tail of `text` of at most `quota` bytes starting at a line start; when not even
/// the last line fits, its last `quota` bytes (at a character boundary).
fn tail_lines(text: &str, quota: usize) -> &str {
    if text.len() <= quota {
        return text;
    }
    let earliest = char_boundary_at_or_after(text, text.len() - quota);
    let line_start = if text.as_bytes()[earliest - 1] == b'\n' { Some(earliest) } else { text[earliest..].find('\n').map(|at| earliest + at + 1) };
    match line_start {
        Some(start) if start < text.len() => &text[start..],
        // Not even the cursor's line fits whole: its end.
        _ => &text[earliest..],
    }
}

/// The longest head of `text` of at most `quota` bytes ending after a line break; when not even
/// the first line fits, its first `quota` bytes (at a character boundary).
fn head_lines(text: &str, quota: usize) -> &str {
    if text.len() <= quota {
        return text;
    }
    let window = &text[..char_boundary_at_or_before(text, quota)];
    match window.rfind('\n') {
        Some(at) => &text[..at + 1],
        None => window,
    }
}

fn char_boundary_at_or_after(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

fn char_boundary_at_or_before(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn count_lines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// 8192 → "8,192".
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The line-comment opening (and closing) for a VS Code language id, for the instruction line a
/// fill-in-the-middle prompt carries.
pub fn comment_for(language_id: &str) -> (&'static str, &'static str) {
    match language_id {
        "python" | "shellscript" | "ruby" | "perl" | "r" | "yaml" | "toml" | "dockerfile" | "makefile" | "powershell" | "coffeescript"
        | "julia" | "elixir" | "nim" | "properties" | "cmake" | "nix" | "graphql" => ("#", ""),
        "sql" | "lua" | "haskell" | "elm" | "ada" => ("--", ""),
        "latex" | "tex" | "matlab" | "erlang" => ("%", ""),
        "clojure" | "lisp" | "scheme" | "ini" => (";", ""),
        "html" | "xml" | "markdown" | "svelte" => ("<!--", " -->"),
        "css" => ("/*", " */"),
        "vb" => ("'", ""),
        _ => ("//", ""),
    }
}

/// The fill-in-the-middle prefix: the document before the cursor and, when the user typed an
/// instruction, that instruction as a comment on the cursor's (blank) line, so the model writes
/// code that does it. None when an instruction cannot be placed (the cursor is mid-line): the
/// caller then uses an instruction prompt.
pub fn fill_in_middle_prefix(prefix: &str, instruction: &str, language_id: &str) -> Option<String> {
    let instruction = instruction.trim();
    if instruction.is_empty() {
        return Some(prefix.to_string());
    }
    let line = &prefix[prefix.rfind('\n').map_or(0, |at| at + 1)..];
    if !line.trim().is_empty() {
        return None;
    }
    let (open, close) = comment_for(language_id);
    let one_line = instruction.replace(['\r', '\n'], " ");
    Some(format!("{prefix}{open} {one_line}{close}\n{line}"))
}

/// The chat messages for an instruction prompt.
pub fn instruction_messages(request: &InlineRequest, window: &Window) -> Vec<Message> {
    let language = request.language_id.as_deref().filter(|l| !l.is_empty()).unwrap_or("plain text");
    let path = request.path.as_deref().filter(|p| !p.is_empty()).unwrap_or("the file");
    let fence = fence_for(&[&window.prefix, &request.selection, &window.suffix, request.fragment.as_deref().unwrap_or_default()]);
    let mut user = String::new();
    for file in &window.related {
        user.push_str(&format!("An open file, for reference only — {}:\n{fence}\n{}\n{fence}\n\n", file.path, file.content.trim_end()));
    }
    let instruction = request.instruction.trim();
    let system = match request.task {
        InlineTask::Generate => {
            user.push_str(&format!(
                "{path} ({language}), with ⟨CURSOR⟩ where new code goes:\n{fence}{language}\n{}⟨CURSOR⟩{}\n{fence}\n\n",
                window.prefix, window.suffix
            ));
            if instruction.is_empty() {
                user.push_str("Write the code that belongs at ⟨CURSOR⟩.");
            } else {
                user.push_str(&format!("Write code to insert at ⟨CURSOR⟩: {instruction}"));
            }
            user.push_str("\nReply with only the new code (not the code around it), indented to fit where it goes, in one fenced code block.");
            format!("You write {language} code that goes straight into the user's file in their editor. Reply with one fenced code block and nothing else: no explanation before or after it.")
        }
        InlineTask::Edit => {
            user.push_str(&format!(
                "{path} ({language}); the selected code is between ⟨SELECTION⟩ and ⟨/SELECTION⟩:\n{fence}{language}\n{}⟨SELECTION⟩{}⟨/SELECTION⟩{}\n{fence}\n\n",
                window.prefix, request.selection, window.suffix
            ));
            user.push_str(&format!("Rewrite the selected code: {}\n", if instruction.is_empty() { "improve it" } else { instruction }));
            user.push_str("Reply with the complete replacement for the selected code only (not the code around it), keeping its indentation, in one fenced code block.");
            format!("You edit {language} code in the user's editor. Reply with one fenced code block holding the replacement and nothing else: no explanation before or after it.")
        }
        InlineTask::Merge => {
            user.push_str(&format!("{path} ({language}):\n{fence}{language}\n{}\n{fence}\n\n", request.selection.trim_end()));
            user.push_str(&format!(
                "A change to make to it (a fragment, not the whole file):\n{fence}{language}\n{}\n{fence}\n\n",
                request.fragment.as_deref().unwrap_or_default().trim_end()
            ));
            if !instruction.is_empty() {
                user.push_str(&format!("{instruction}\n\n"));
            }
            user.push_str(
                "Apply the change to the file. Answer with search/replace blocks, each exactly like this:\n\
                 <<<<<<< SEARCH\n(lines copied exactly from the file, enough to be unique)\n=======\n(the lines that replace them)\n>>>>>>> REPLACE\n\
                 Use as many blocks as the change needs, in file order.",
            );
            "You merge code changes into files. Answer only with search/replace blocks: no explanation, no fences around them.".to_string()
        }
    };
    vec![Message { role: "system".into(), content: system, ..Default::default() }, Message { role: "user".into(), content: user, ..Default::default() }]
}

/// A backtick fence longer than any run of backticks in `texts`, so a file holding ``` cannot
/// close the prompt's block early.
fn fence_for(texts: &[&str]) -> String {
    let longest = texts
        .iter()
        .flat_map(|text| text.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(prefix: &str, selection: &str, suffix: &str) -> InlineRequest {
        InlineRequest {
            model: "m".into(),
            prefix: prefix.into(),
            selection: selection.into(),
            suffix: suffix.into(),
            path: Some("src/a.ts".into()),
            language_id: Some("typescript".into()),
            ..Default::default()
        }
    }

    fn numbered(from: usize, to: usize) -> String {
        (from..=to).map(|n| format!("line {n}\n")).collect()
    }

    #[test]
    fn everything_goes_when_it_fits() {
        let window = fit(&request("a\nb\n", "", "c\n"), 8192).unwrap();
        assert_eq!((window.prefix.as_str(), window.suffix.as_str(), window.note), ("a\nb\n", "c\n", None));
    }

    #[test]
    fn a_long_file_is_cut_to_whole_lines_around_the_cursor() {
        let prefix = numbered(1, 3000);
        let suffix = numbered(3001, 6000);
        let window = fit(&request(&prefix, "", &suffix), 4096).unwrap();
        assert!(window.prefix.ends_with("line 3000\n"), "the lines just before the cursor are kept");
        assert!(window.suffix.starts_with("line 3001\n"), "the lines just after the cursor are kept");
        assert!(window.prefix.starts_with("line ") && window.suffix.ends_with('\n'), "cut at line boundaries");
        assert!(window.prefix.len() > window.suffix.len(), "more before the cursor than after");
        assert!((window.prefix.len() + window.suffix.len()) / CHARS_PER_TOKEN < 4096);
        let note = window.note.unwrap();
        assert!(note.starts_with("Sent lines ") && note.contains("of 6,000 of src/a.ts") && note.contains("4,096-token"), "{note}");
    }

    #[test]
    fn a_short_side_gives_its_share_to_the_other() {
        let lines = numbered(1, 100);
        let (prefix, suffix) = around_cursor("x\n", &lines, 200);
        assert_eq!(prefix, "x\n");
        assert!(suffix.len() > 150, "{}", suffix.len());
    }

    #[test]
    fn a_single_overlong_line_is_cut_at_a_character() {
        let long = "é".repeat(100);
        let tail = tail_lines(&long, 11);
        assert!(tail.len() <= 11 && tail.chars().all(|c| c == 'é'));
        let head = head_lines(&long, 11);
        assert!(head.len() <= 11 && head.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_selection_too_big_for_the_context_is_refused_with_what_to_do() {
        let error = fit(&request("", &"x".repeat(40_000), ""), 4096).unwrap_err();
        assert!(error.contains("4,096-token context") && error.contains("select less"), "{error}");
    }

    #[test]
    fn related_files_fill_what_is_left_and_the_rest_are_counted() {
        let mut req = request("a\n", "", "b\n");
        req.related_files = Some(vec![
            RelatedFile { path: "small.ts".into(), content: "export const x = 1;".into() },
            RelatedFile { path: "huge.ts".into(), content: "y".repeat(MAX_RELATED_FILE_CHARS + 1) },
        ]);
        let window = fit(&req, 8192).unwrap();
        assert_eq!(window.related.len(), 1);
        assert_eq!(window.note.as_deref(), Some("1 of 2 open files were left out."));
    }

    #[test]
    fn fill_in_middle_carries_the_instruction_as_a_comment_on_a_blank_line() {
        assert_eq!(fill_in_middle_prefix("def f():\n    ", "sum the list", "python").unwrap(), "def f():\n    # sum the list\n    ");
        assert_eq!(fill_in_middle_prefix("<p>\n", "a table", "html").unwrap(), "<p>\n<!-- a table -->\n");
        assert_eq!(fill_in_middle_prefix("let x = ", "", "typescript").unwrap(), "let x = ");
        assert_eq!(fill_in_middle_prefix("let x = ", "a number", "typescript"), None, "mid-line: no place for a comment");
    }

    #[test]
    fn instruction_prompts_mark_the_place_and_ask_for_one_block() {
        let mut req = request("function f() {\n", "  return 1;\n", "}\n");
        req.task = InlineTask::Edit;
        req.instruction = "return 2".into();
        let window = fit(&req, 8192).unwrap();
        let messages = instruction_messages(&req, &window);
        assert_eq!(messages[0].role, "system");
        let user = &messages[1].content;
        assert!(user.contains("function f() {\n⟨SELECTION⟩  return 1;\n⟨/SELECTION⟩}"), "{user}");
        assert!(user.contains("Rewrite the selected code: return 2"));

        req.task = InlineTask::Merge;
        req.selection = "a\n```\nb\n".into();
        req.fragment = Some("b2".into());
        let messages = instruction_messages(&req, &fit(&req, 8192).unwrap());
        assert!(messages[1].content.contains("````typescript\na\n```\nb\n````"), "a longer fence than the file's own");
        assert!(messages[1].content.contains("<<<<<<< SEARCH"));
    }
}
