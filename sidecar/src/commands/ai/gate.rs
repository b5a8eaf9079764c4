//! The tool permission gate and the waits for the user: ToolPermission, AskUser and AskUserForm.
//!
//! A wait allocates an id (one counter for all three kinds, as in the seed), files a oneshot sender
//! under it, sends the event, then waits for the first of: the resolver command, the stream's stop,
//! or its timeout. The entry is removed when the wait ends however it ends (a guard does it, so a
//! dropped wait cannot leave an entry behind), which makes a late or repeated resolve a clean
//! "not found". A stop cancels the stream's token, which every wait of that stream selects on, so
//! one stop releases all of them at once.

use super::events::Events;
use crate::error::AppError;
use crate::protocol::ai::{CompletionEvent, ToolPermissionDecision, ToolPermissionMode};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// Tools that only read: never gated in `auto_accept_read_only`, and run in parallel.
pub const READ_ONLY_TOOLS: [&str; 3] = ["read_file", "glob", "grep"];

/// Whether `tool` must be confirmed by the user before it runs.
pub fn needs_permission(tool: &str, mode: ToolPermissionMode, allowlist: &[String]) -> bool {
    if tool == "ask_user" || tool == "ask_user_form" {
        return false; // asking the user is its own confirmation
    }
    match mode {
        ToolPermissionMode::AutoAcceptAll => false,
        ToolPermissionMode::AutoAcceptReadOnly if READ_ONLY_TOOLS.contains(&tool) => false,
        _ => !allowlist.iter().any(|allowed| allowed == tool),
    }
}

/// The user's answer to a ToolPermission: the decision, and for a proposal they edited before
/// accepting, the whole file as they accepted it.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionAnswer {
    pub decision: ToolPermissionDecision,
    pub content: Option<String>,
}

/// What a permission wait means for the call it gated (the agent's and a workflow's alike).
#[derive(Debug, PartialEq)]
pub enum PermissionOutcome {
    /// Run it: with the user's edited file (when they edited the proposal), and whether the tool
    /// joins the allowlist ("Always Allow").
    Allowed { content: Option<String>, always: bool },
    /// Not run: the message the call's result carries.
    Refused(String),
    /// The stream was stopped while it waited.
    Cancelled,
}

impl WaitEnd<PermissionAnswer> {
    /// The outcome for `tool` (its name as the user saw it), worded for the model and the card;
    /// `wait` is how long the user had to answer.
    pub fn permission_outcome(self, tool: &str, wait: Duration) -> PermissionOutcome {
        match self {
            WaitEnd::Answered(PermissionAnswer { decision: ToolPermissionDecision::Accepted, content }) => PermissionOutcome::Allowed { content, always: false },
            WaitEnd::Answered(PermissionAnswer { decision: ToolPermissionDecision::AlwaysAllowed, content }) => PermissionOutcome::Allowed { content, always: true },
            WaitEnd::Answered(PermissionAnswer { decision: ToolPermissionDecision::Rejected, .. }) => PermissionOutcome::Refused(format!("User rejected {tool}")),
            WaitEnd::TimedOut => PermissionOutcome::Refused(format!("User rejected {tool} (no decision within {}, so it was not run)", describe_duration(wait))),
            WaitEnd::Undeliverable => PermissionOutcome::Refused(format!("{tool} was not run: nobody could be asked for permission")),
            WaitEnd::Cancelled => PermissionOutcome::Cancelled,
        }
    }
}

/// How a wait ended.
#[derive(Debug, PartialEq)]
pub enum WaitEnd<T> {
    Answered(T),
    TimedOut,
    Cancelled,
    /// The event could not be delivered (no channel, or the host is gone).
    Undeliverable,
}

type Senders<T> = Mutex<HashMap<u32, oneshot::Sender<T>>>;

/// The pending waits of all streams.
pub struct Waits {
    next_id: AtomicU32,
    permissions: Senders<PermissionAnswer>,
    questions: Senders<String>,
    forms: Senders<Value>,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            next_id: AtomicU32::new(1),
            permissions: Mutex::default(),
            questions: Mutex::default(),
            forms: Mutex::default(),
        }
    }
}

/// Removes a wait's entry when the wait ends, whichever way.
struct Entry<'a, T> {
    map: &'a Senders<T>,
    id: u32,
}

impl<T> Drop for Entry<'_, T> {
    fn drop(&mut self) {
        lock(self.map).remove(&self.id);
    }
}

fn lock<T>(map: &Senders<T>) -> std::sync::MutexGuard<'_, HashMap<u32, oneshot::Sender<T>>> {
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Waits {
    /// Asks for permission: sends the event `make(id)` builds and waits for the decision.
    pub async fn permission(
        &self,
        events: &Events,
        cancel: &CancellationToken,
        timeout: Duration,
        make: impl FnOnce(u32) -> CompletionEvent,
    ) -> WaitEnd<PermissionAnswer> {
        self.wait(&self.permissions, events, cancel, timeout, make).await
    }

    /// Asks a question (AskUser) and waits for the answer.
    pub async fn question(&self, events: &Events, cancel: &CancellationToken, timeout: Duration, make: impl FnOnce(u32) -> CompletionEvent) -> WaitEnd<String> {
        self.wait(&self.questions, events, cancel, timeout, make).await
    }

    /// Shows a form (AskUserForm) and waits for the answers.
    pub async fn form(&self, events: &Events, cancel: &CancellationToken, timeout: Duration, make: impl FnOnce(u32) -> CompletionEvent) -> WaitEnd<Value> {
        self.wait(&self.forms, events, cancel, timeout, make).await
    }

    async fn wait<T>(
        &self,
        map: &Senders<T>,
        events: &Events,
        cancel: &CancellationToken,
        timeout: Duration,
        make: impl FnOnce(u32) -> CompletionEvent,
    ) -> WaitEnd<T> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        lock(map).insert(id, sender);
        let _entry = Entry { map, id };
        if !events.interactive() || !events.send(make(id)) {
            return WaitEnd::Undeliverable;
        }
        tokio::select! {
            biased;
            _ = cancel.cancelled() => WaitEnd::Cancelled,
            answer = receiver => match answer {
                Ok(answer) => WaitEnd::Answered(answer),
                Err(_) => WaitEnd::Undeliverable,
            },
            _ = tokio::time::sleep(timeout) => WaitEnd::TimedOut,
        }
    }

    pub fn resolve_permission(&self, id: u32, decision: ToolPermissionDecision, content: Option<String>) -> Result<(), AppError> {
        // Edited content only means something with a yes.
        let content = content.filter(|_| decision != ToolPermissionDecision::Rejected);
        resolve(&self.permissions, id, PermissionAnswer { decision, content }, "tool permission request")
    }

    pub fn resolve_question(&self, id: u32, answer: String) -> Result<(), AppError> {
        resolve(&self.questions, id, answer, "ask_user request")
    }

    pub fn resolve_form(&self, id: u32, answers: Value) -> Result<(), AppError> {
        resolve(&self.forms, id, answers, "ask_user_form request")
    }

    /// How many waits are open (for tests and diagnostics).
    pub fn open(&self) -> usize {
        lock(&self.permissions).len() + lock(&self.questions).len() + lock(&self.forms).len()
    }
}

fn resolve<T>(map: &Senders<T>, id: u32, value: T, what: &str) -> Result<(), AppError> {
    let sender = lock(map).remove(&id);
    let delivered = sender.is_some_and(|sender| sender.send(value).is_ok());
    if delivered {
        Ok(())
    } else {
        Err(AppError::not_found(format!(
            "{what} {id} not found or already resolved (it may have timed out or its stream was stopped)"
        )))
    }
}

/// "5 minutes", "3 minutes", "90 seconds", "0.5 seconds": for timeout messages.
pub fn describe_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 60.0 && duration.as_secs().is_multiple_of(60) && duration.subsec_nanos() == 0 {
        let minutes = duration.as_secs() / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    } else if duration.subsec_nanos() == 0 {
        let whole = duration.as_secs();
        format!("{whole} second{}", if whole == 1 { "" } else { "s" })
    } else {
        // Rounded to milliseconds: 0.3 s arrives as 0.299999999 s through f64.
        let text = format!("{seconds:.3}");
        format!("{} seconds", text.trim_end_matches('0').trim_end_matches('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ai::{AskUserEvent, QuestionType};

    #[test]
    fn modes_gate_as_documented() {
        let none: Vec<String> = Vec::new();
        let bash = vec!["bash".to_string()];
        assert!(needs_permission("read_file", ToolPermissionMode::AskEveryTime, &none));
        assert!(!needs_permission("bash", ToolPermissionMode::AskEveryTime, &bash));
        assert!(!needs_permission("grep", ToolPermissionMode::AutoAcceptReadOnly, &none));
        assert!(needs_permission("write_file", ToolPermissionMode::AutoAcceptReadOnly, &none));
        assert!(!needs_permission("bash", ToolPermissionMode::AutoAcceptReadOnly, &bash));
        assert!(!needs_permission("bash", ToolPermissionMode::AutoAcceptAll, &none));
        assert!(!needs_permission("ask_user", ToolPermissionMode::AskEveryTime, &none));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(describe_duration(Duration::from_secs(180)), "3 minutes");
        assert_eq!(describe_duration(Duration::from_secs(300)), "5 minutes");
        assert_eq!(describe_duration(Duration::from_secs(1)), "1 second");
        assert_eq!(describe_duration(Duration::from_millis(500)), "0.5 seconds");
        assert_eq!(describe_duration(Duration::from_secs_f64(0.3)), "0.3 seconds");
    }

    #[tokio::test]
    async fn undeliverable_waits_end_at_once_and_leave_nothing() {
        let waits = Waits::default();
        let cancel = CancellationToken::new();
        let end = waits
            .question(&Events::none(), &cancel, Duration::from_secs(100), |id| {
                CompletionEvent::AskUser(AskUserEvent { id, question: "q".into(), question_type: QuestionType::Text, choices: None })
            })
            .await;
        assert_eq!(end, WaitEnd::Undeliverable);
        assert_eq!(waits.open(), 0);
        assert!(waits.resolve_question(1, "late".into()).is_err());
    }
}
