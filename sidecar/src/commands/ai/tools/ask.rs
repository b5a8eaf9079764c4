//! Lenient reading of ask_user / ask_user_form arguments (seed §3.3). Models get these shapes
//! wrong in many ways; a question the user can answer beats an error the model must fix, so:
//! missing texts get defaults, unknown types become `text`, choices may be strings, objects with
//! a `label`/`text`/`value`/`description`, or `item` chains, and fields missing an id or a label
//! borrow one from the other (only fields with neither are dropped).

use crate::protocol::ai::{FormField, FormFieldType, QuestionType};
use serde_json::Value;

pub const DEFAULT_QUESTION: &str = "What would you like?";
pub const DEFAULT_FORM_TITLE: &str = "Please answer these questions";

/// `(question, type, choices)` of an ask_user call.
pub fn question(args: &Value) -> (String, QuestionType, Option<Vec<String>>) {
    let question = text(args, &["question", "prompt", "message", "text"]).unwrap_or_else(|| DEFAULT_QUESTION.to_string());
    let choices = ["choices", "options"].iter().find_map(|key| args.get(*key)).map(flatten_choices).filter(|c| !c.is_empty());
    let kind = match text(args, &["question_type", "questionType", "type"]).as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("choice") | Some("select") | Some("single_choice") => QuestionType::Choice,
        Some("confirm") | Some("yes_no") | Some("boolean") => QuestionType::Confirm,
        _ if choices.is_some() => QuestionType::Choice,
        _ => QuestionType::Text,
    };
    // A choice question without choices can only be answered as text.
    let kind = if kind == QuestionType::Choice && choices.is_none() { QuestionType::Text } else { kind };
    (question, kind, if kind == QuestionType::Choice { choices } else { None })
}

/// `(title, fields)` of an ask_user_form call.
pub fn form(args: &Value) -> (String, Vec<FormField>) {
    let title = text(args, &["title", "question", "prompt"]).unwrap_or_else(|| DEFAULT_FORM_TITLE.to_string());
    let fields = match args.get("fields").or_else(|| args.get("questions")) {
        Some(Value::Array(fields)) => fields.iter().filter_map(field).collect(),
        // Some models send the array as a JSON string.
        Some(Value::String(raw)) => match serde_json::from_str::<Value>(raw) {
            Ok(Value::Array(fields)) => fields.iter().filter_map(field).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    (title, fields)
}

fn field(value: &Value) -> Option<FormField> {
    let id = text(value, &["id", "name", "key"]);
    let label = text(value, &["label", "question", "text", "title"]);
    let (id, label) = match (id, label) {
        (Some(id), Some(label)) => (id, label),
        (Some(id), None) => (id.clone(), id),
        (None, Some(label)) => (slug(&label), label),
        (None, None) => return None,
    };
    let choices = ["choices", "options"].iter().find_map(|key| value.get(*key)).map(flatten_choices).filter(|c| !c.is_empty());
    let field_type = match text(value, &["field_type", "fieldType", "type"]).as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("choice") | Some("select") | Some("radio") if choices.is_some() => FormFieldType::Choice,
        Some("multiselect") | Some("multi_select") | Some("checkbox") | Some("checkboxes") if choices.is_some() => FormFieldType::Multiselect,
        Some("confirm") | Some("boolean") | Some("yes_no") => FormFieldType::Confirm,
        _ => FormFieldType::Text,
    };
    let required = match value.get("required") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => Some(!s.eq_ignore_ascii_case("false")),
        _ => None,
    };
    Some(FormField {
        id,
        label,
        field_type,
        choices: if matches!(field_type, FormFieldType::Choice | FormFieldType::Multiselect) { choices } else { None },
        placeholder: text(value, &["placeholder", "hint"]),
        required,
    })
}

/// Flattens any of the choice shapes models produce into strings.
pub fn flatten_choices(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(value, &mut out, 0);
    out
}

fn collect(value: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return; // a pathological `item` chain
    }
    match value {
        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Array(items) => items.iter().for_each(|item| collect(item, out, depth + 1)),
        Value::Object(map) => {
            if let Some(label) = ["label", "text", "value", "description", "name", "title"].iter().find_map(|k| map.get(*k).and_then(Value::as_str)) {
                out.push(label.trim().to_string());
            }
            if let Some(item) = map.get("item").or_else(|| map.get("next")) {
                collect(item, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn text(value: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|key| value.get(*key).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn slug(label: &str) -> String {
    let slug: String = label
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if slug.is_empty() {
        "answer".to_string()
    } else {
        slug.chars().take(40).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn questions_are_read_leniently() {
        assert_eq!(question(&json!({})), (DEFAULT_QUESTION.to_string(), QuestionType::Text, None));
        let (_, kind, choices) = question(&json!({"question": "Pick", "question_type": "weird", "choices": ["a", {"label": "b"}, {"item": {"text": "c"}}]}));
        assert_eq!(kind, QuestionType::Choice);
        assert_eq!(choices.unwrap(), vec!["a", "b", "c"]);
        let (_, kind, choices) = question(&json!({"question": "Pick", "question_type": "choice"}));
        assert_eq!((kind, choices), (QuestionType::Text, None));
        assert_eq!(question(&json!({"question": "ok?", "question_type": "confirm"})).1, QuestionType::Confirm);
    }

    #[test]
    fn forms_are_read_leniently() {
        let (title, fields) = form(&json!({"fields": [
            {"id": "name", "label": "Name", "field_type": "text"},
            {"label": "Favourite colour", "field_type": "choice", "choices": ["red", "blue"]},
            {"id": "extras", "field_type": "multiselect", "options": [{"value": "x"}]},
            {"field_type": "text"},
            {"id": "ok", "label": "OK?", "field_type": "nonsense", "required": false}
        ]}));
        assert_eq!(title, DEFAULT_FORM_TITLE);
        assert_eq!(fields.len(), 4);
        assert_eq!(fields[1].id, "favourite_colour");
        assert_eq!(fields[1].field_type, FormFieldType::Choice);
        assert_eq!(fields[2].label, "extras");
        assert_eq!(fields[2].choices.as_deref(), Some(&["x".to_string()][..]));
        assert_eq!((fields[3].field_type, fields[3].required), (FormFieldType::Text, Some(false)));
    }
}
