//! The agent loop (seed §5.4, for every provider): stream a turn; if the model called tools, send
//! one ToolCall per call before running any, run them (reads in parallel, anything that changes
//! things one at a time in the model's order, each through the permission gate), send each
//! ToolResult, feed the results back, and go again until the model answers without tools.
//! While a turn streams, its tool calls already show as ToolCallDeltas (the provider layer sends
//! them); the ToolCall with the parsed arguments follows once the turn ended.
//!
//! `tool_choice`: the request's choice is sent with every turn, except that a forced or required
//! one applies to the first turn only. When the first turn comes back without a call although
//! that choice forced one, or with a call written out as text, `Done.warning` says the model or
//! server ignored the tools and what fixes it.
//!
//! Invariants: the loop returns exactly one terminal event (Done or Error) and sends none itself,
//! so the caller sends it as the channel's last message; a tool fault is a failed result the model
//! sees, never the end of the loop; after a stop no tool starts, and the only events still sent are
//! the ToolResults of the calls that ran (whole, or until the stop cut them short, like bash) or
//! were settled without the stop (a rejection), before the terminal `Done {cancelled}`; a call the
//! stop kept from running (waiting for permission or an answer, or not begun) gets no result;
//! `Done {cancelled}` counts the stopped turn's partial output in its usage; the tool-call budget
//! is checked before a turn's calls are announced, so reaching it ends the stream with one Error
//! and runs nothing.

use super::events::Events;
use super::gate::{self, describe_duration, PermissionOutcome, WaitEnd, Waits};
use super::providers::{stream_turn, Endpoint, Failure, TurnEnd, TurnOutput, TurnRequest};
use super::tools::{self, ask, ToolContext, ToolOutcome};
use super::usage::Meter;
use crate::protocol::ai::{
    AskUserEvent, AskUserFormEvent, CompletionEvent, DoneEvent, Message, ModelOptions, ProviderKind, Think, ToolCallEvent, ToolCallRef,
    ToolChoice, ToolPermissionEvent, ToolPermissionMode, ToolResultEvent,
};
use futures::future::join_all;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long things may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub idle: Duration,
    pub permission: Duration,
    pub ask_user: Duration,
}

/// Everything one run of the loop needs.
pub struct Agent {
    pub client: reqwest::Client,
    pub endpoint: Endpoint,
    pub model: String,
    pub history: Vec<Message>,
    pub tools_on: bool,
    /// The request's tool choice (`Auto` when it had none). A forced or required choice applies
    /// to the first turn only.
    pub tool_choice: ToolChoice,
    pub mode: ToolPermissionMode,
    /// The request's allowlist, plus tools the user "always allowed" during this stream.
    pub allowlist: Mutex<Vec<String>>,
    pub max_tool_calls: u32,
    pub options: ModelOptions,
    pub think: Option<Think>,
    /// Ollama's context window for this stream, when decided.
    pub num_ctx: Option<u32>,
    pub limits: Limits,
    pub events: Events,
    pub cancel: CancellationToken,
    /// The sidecar's state, for the pending waits the resolver commands answer.
    pub state: Arc<crate::context::SidecarState>,
    pub tool_context: ToolContext,
}

/// How the loop ended: the terminal event to send, and the answer's text (for one-shot calls).
pub struct Outcome {
    pub terminal: CompletionEvent,
    pub text: String,
    pub failure: Option<Failure>,
}

impl Agent {
    fn waits(&self) -> &Waits {
        &self.state.ai.waits
    }

    pub async fn run(mut self) -> Outcome {
        let mut meter = Meter::new(self.num_ctx);
        let mut calls_used: u32 = 0;
        let mut last_text = String::new();
        let mut warning = None;
        let mut first_turn = true;
        loop {
            if self.cancel.is_cancelled() {
                return self.cancelled(&meter, last_text);
            }
            let estimate = self.prompt_estimate();
            let offered = if self.tools_on { tools::offered(&self.tool_context) } else { Vec::new() };
            let definitions = offered.as_slice();
            let choice = match &self.tool_choice {
                ToolChoice::Omit => None,
                // After the forced first turn the model must be free to answer.
                forced if forced.forces_a_call() && !first_turn => None,
                other => Some(other),
            };
            let turn = TurnRequest {
                model: &self.model,
                messages: &self.history,
                tools: definitions,
                options: &self.options,
                num_ctx: self.num_ctx,
                think: self.think.as_ref(),
                tool_choice: choice,
            };
            let output = match stream_turn(&self.client, &self.endpoint, &turn, &self.events, &self.cancel, self.limits.idle).await {
                Ok(TurnEnd::Finished(output)) => output,
                Ok(TurnEnd::Cancelled(partial)) => {
                    meter.add(&partial, None);
                    return self.cancelled(&meter, last_text);
                }
                Err(failure) => return failed(failure, last_text),
            };
            meter.add(&output, (self.endpoint.kind == ProviderKind::Ollama).then_some(estimate));
            last_text = output.text.clone();
            let calls = if self.tools_on { output.tool_calls.clone() } else { Vec::new() };
            if first_turn && self.tools_on && calls.is_empty() {
                warning = self.tools_ignored(&output);
            }
            first_turn = false;
            self.history.push(Message {
                role: "assistant".into(),
                content: output.text.clone(),
                thinking: (!output.thinking.is_empty()).then(|| output.thinking.clone()),
                thinking_signature: output.thinking_signature.clone(),
                tool_calls: (!calls.is_empty()).then(|| calls.clone()),
                ..Default::default()
            });
            if calls.is_empty() {
                let usage = meter.usage();
                return Outcome {
                    terminal: CompletionEvent::Done(DoneEvent { done_reason: output.done_reason, usage: Some(usage), warning }),
                    text: last_text,
                    failure: None,
                };
            }
            if calls_used.saturating_add(calls.len() as u32) > self.max_tool_calls {
                return failed(
                    Failure::new(
                        "max_tool_calls",
                        format!(
                            "Stopped: the agent reached the limit of {} tool calls for one message (prototyper.maxToolCalls) — raise the limit, or send a new message to let it continue.",
                            self.max_tool_calls
                        ),
                    ),
                    last_text,
                );
            }
            calls_used += calls.len() as u32;
            for call in &calls {
                self.events.send(CompletionEvent::ToolCall(ToolCallEvent { id: call.id.clone(), tool: call.name.clone(), args: call.arguments.clone() }));
            }
            for batch in batches(&calls) {
                let outcomes = join_all(batch.iter().map(|call| self.run_call(call))).await;
                // Results first, even after a stop: a call that ran may have changed files, and
                // the UI learns that only from its ToolResult. `None` (the stop kept the call from
                // running) only happens after a stop, which then ends the loop below.
                for (call, outcome) in batch.iter().zip(outcomes) {
                    let Some(outcome) = outcome else { continue };
                    self.history.push(Message {
                        role: "tool".into(),
                        content: tools::history_text(&outcome.output),
                        tool_call_id: Some(call.id.clone()),
                        tool_name: Some(call.name.clone()),
                        ..Default::default()
                    });
                    self.events.send(CompletionEvent::ToolResult(ToolResultEvent {
                        id: call.id.clone(),
                        tool: call.name.clone(),
                        success: outcome.success,
                        output: outcome.output,
                        path: outcome.path,
                        content: outcome.content,
                        previous_content: outcome.previous_content,
                    }));
                }
                if self.cancel.is_cancelled() {
                    return self.cancelled(&meter, last_text);
                }
            }
        }
    }

    fn cancelled(&self, meter: &Meter, text: String) -> Outcome {
        Outcome {
            terminal: CompletionEvent::Done(DoneEvent { done_reason: Some("cancelled".into()), usage: Some(meter.usage()), warning: None }),
            text,
            failure: Some(Failure::new("cancelled", "Cancelled")),
        }
    }

    /// Runs one call: asks the user for ask_user/ask_user_form, otherwise gates and runs the tool.
    /// `None` when a stop kept it from running (it was waiting for the user, or had not begun).
    async fn run_call(&self, call: &ToolCallRef) -> Option<ToolOutcome> {
        let name = call.name.as_str();
        let args = &call.arguments;
        match name {
            "ask_user" => return self.ask_user(args).await,
            "ask_user_form" => return self.ask_user_form(args).await,
            _ => {}
        }
        // Unknown tools and refused changes (an untrusted workspace, git's internals) fail without
        // bothering the user: no card is shown for what could never be allowed.
        let refused = !tools::is_offered(&self.tool_context, name) || tools::never_allowed(&self.tool_context, name, args);
        // A file change is worked out first, so the user sees exactly what would be written; one
        // that cannot apply fails here without a question.
        let change = match refused {
            true => None,
            false => tokio::select! {
                proposed = tools::propose(&self.tool_context, name, args) => match proposed {
                    Some(Ok(change)) => Some(change),
                    Some(Err(failure)) => return Some(failure),
                    None => None,
                },
                _ = self.cancel.cancelled() => return None,
            },
        };
        let gated = !refused && {
            let allowlist = self.allowlist.lock().unwrap_or_else(|p| p.into_inner());
            gate::needs_permission(name, self.mode, &allowlist)
        };
        let mut accepted_content = None;
        if gated {
            let reason = tools::reason(&self.tool_context.workspace, name, args);
            let proposal = change.as_ref().map(tools::Change::proposal);
            let command_review = (name == "bash").then(|| tools::review_command(args)).flatten();
            let end = self
                .waits()
                .permission(&self.events, &self.cancel, self.limits.permission, |id| {
                    CompletionEvent::ToolPermission(ToolPermissionEvent {
                        id,
                        tool_call_id: call.id.clone(),
                        tool: name.to_string(),
                        args: args.clone(),
                        reason: Some(reason),
                        proposal,
                        command_review,
                    })
                })
                .await;
            match end.permission_outcome(name, self.limits.permission) {
                PermissionOutcome::Allowed { content, always } => {
                    if always {
                        self.allowlist.lock().unwrap_or_else(|p| p.into_inner()).push(name.to_string());
                    }
                    accepted_content = content;
                }
                PermissionOutcome::Refused(message) => return Some(ToolOutcome::fail(message)),
                PermissionOutcome::Cancelled => return None,
            }
        }
        // A stop that came before the tool began (during the wait's last moments, or before the
        // batch started) keeps it from running: nothing starts after a stop.
        if self.cancel.is_cancelled() {
            return None;
        }
        // bash stops itself on a stop (it kills its process group and reports what it printed).
        // Every other tool is abandoned at once: its blocking work is bounded (regular files only,
        // size limits), so the thread it leaves finishes on its own shortly after.
        if name == "bash" {
            return Some(tools::run(&self.tool_context, name, args).await);
        }
        if let Some(change) = change {
            return tokio::select! {
                outcome = tools::change::apply(&self.tool_context, change, accepted_content) => Some(outcome),
                _ = self.cancel.cancelled() => Some(ToolOutcome::fail(format!("{name}: stopped before it finished, because the user stopped the generation"))),
            };
        }
        tokio::select! {
            outcome = tools::run(&self.tool_context, name, args) => Some(outcome),
            _ = self.cancel.cancelled() => Some(ToolOutcome::fail(format!("{name}: stopped before it finished, because the user stopped the generation"))),
        }
    }

    async fn ask_user(&self, args: &Value) -> Option<ToolOutcome> {
        let (question, question_type, choices) = ask::question(args);
        let end = self
            .waits()
            .question(&self.events, &self.cancel, self.limits.ask_user, |id| {
                CompletionEvent::AskUser(AskUserEvent { id, question, question_type, choices })
            })
            .await;
        match end {
            WaitEnd::Answered(answer) => Some(ToolOutcome::ok(answer)),
            WaitEnd::TimedOut => Some(ToolOutcome::fail(format!("No response (ask_user timed out after {})", describe_duration(self.limits.ask_user)))),
            WaitEnd::Cancelled => None,
            WaitEnd::Undeliverable => Some(ToolOutcome::fail("No response provided")),
        }
    }

    async fn ask_user_form(&self, args: &Value) -> Option<ToolOutcome> {
        let (title, fields) = ask::form(args);
        let end = self
            .waits()
            .form(&self.events, &self.cancel, self.limits.ask_user, |id| CompletionEvent::AskUserForm(AskUserFormEvent { id, title, fields }))
            .await;
        match end {
            WaitEnd::Answered(answers) => Some(ToolOutcome::ok(serde_json::to_string(&answers).unwrap_or_else(|_| "{}".into()))),
            WaitEnd::Cancelled => None,
            WaitEnd::TimedOut | WaitEnd::Undeliverable => Some(ToolOutcome::fail("{}")),
        }
    }

    /// Why the first turn came back without a tool call although tools were offered, when that
    /// shows the model or server ignored them (a choice that forced a call, or a call written out
    /// as text); `None` when the model simply chose to answer.
    fn tools_ignored(&self, output: &TurnOutput) -> Option<String> {
        let server = self.endpoint.label();
        let fix = match self.endpoint.kind {
            ProviderKind::Openai => {
                "set prototyper.openai.toolChoice to \"auto\" (or \"required\") if it is \"omit\", or start the server with tool calling for this model's chat template (llama.cpp: --jinja; llama-cpp-python: --chat_format chatml-function-calling)"
            }
            ProviderKind::Ollama => "pick a model with the tools badge, or turn tools off to chat without them",
            ProviderKind::Anthropic => "retry, or turn tools off to chat without them",
        };
        // Ollama has no tool choice: a forced one was never sent, so its absence proves nothing.
        let choice_sent = self.endpoint.kind != ProviderKind::Ollama;
        if let (true, ToolChoice::Tool(name)) = (choice_sent, &self.tool_choice) {
            return Some(format!("The model answered without calling {name} although toolChoice required it: {server} ignored the tools — {fix}."));
        }
        if choice_sent && self.tool_choice == ToolChoice::Required {
            return Some(format!("The model answered without calling a tool although toolChoice required one: {server} ignored the tools — {fix}."));
        }
        tool_written_as_text(&output.text).map(|name| {
            format!("The model wrote a {name} call as text instead of calling the tool: {server} did not give this model the tools — {fix}.")
        })
    }

    /// Roughly how many tokens the next request's prompt holds (characters / 4).
    fn prompt_estimate(&self) -> u32 {
        let mut chars: usize = self
            .history
            .iter()
            .map(|m| {
                m.content.len()
                    + m.thinking.as_ref().map_or(0, String::len)
                    + m.tool_calls.iter().flatten().map(|c| c.name.len() + c.arguments.to_string().len()).sum::<usize>()
                    + 16 // role and template tokens
            })
            .sum();
        if self.tools_on {
            chars += tools::offered(&self.tool_context).iter().map(|d| d.to_string().len()).sum::<usize>();
        }
        (chars / 4).min(u32::MAX as usize) as u32
    }
}

/// The agent tool a model wrote out as text instead of calling (a tool-call JSON object, a
/// `<tool_call>` block or `functions.<name>`), if any: the sign of a chat template without tools.
fn tool_written_as_text(text: &str) -> Option<&'static str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let names = tools::definitions().iter().filter_map(|d| d["name"].as_str());
    let mut found = None;
    for name in names {
        let quoted = format!("\"{name}\"");
        let written = [format!("\"name\":{quoted}"), format!("\"function\":{quoted}"), format!("\"tool\":{quoted}"), format!("functions.{name}")]
            .iter()
            .any(|pattern| compact.contains(pattern.as_str()));
        if written || (compact.contains("<tool_call>") && compact.contains(&quoted)) {
            found = Some(name);
            break;
        }
    }
    found
}

fn failed(failure: Failure, text: String) -> Outcome {
    Outcome { terminal: CompletionEvent::error(failure.message.clone(), failure.code), text, failure: Some(failure) }
}

/// Splits a turn's calls into batches run one after another: consecutive read-only calls form
/// one parallel batch; every other call is a batch of its own, in the model's order.
fn batches(calls: &[ToolCallRef]) -> Vec<Vec<ToolCallRef>> {
    let mut out: Vec<Vec<ToolCallRef>> = Vec::new();
    for call in calls {
        let read_only = gate::READ_ONLY_TOOLS.contains(&call.name.as_str());
        match out.last_mut() {
            Some(last) if read_only && last.iter().all(|c| gate::READ_ONLY_TOOLS.contains(&c.name.as_str())) => last.push(call.clone()),
            _ => out.push(vec![call.clone()]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(name: &str) -> ToolCallRef {
        ToolCallRef { id: name.into(), name: name.into(), arguments: json!({}) }
    }

    #[test]
    fn reads_run_together_and_changes_alone_in_order() {
        let calls = vec![call("read_file"), call("grep"), call("write_file"), call("glob"), call("bash"), call("bash")];
        let shape: Vec<Vec<String>> = batches(&calls).iter().map(|b| b.iter().map(|c| c.name.clone()).collect()).collect();
        assert_eq!(shape, vec![vec!["read_file", "grep"], vec!["write_file"], vec!["glob"], vec!["bash"], vec!["bash"]]);
    }

    #[test]
    fn a_tool_call_written_as_text_is_noticed() {
        assert_eq!(tool_written_as_text(r#"Sure! {"name": "write_file", "arguments": {"path": "a"}}"#), Some("write_file"));
        assert_eq!(tool_written_as_text("<tool_call>\n{\"name\":\"bash\"}"), Some("bash"));
        assert_eq!(tool_written_as_text("functions.read_file:{}"), Some("read_file"));
        assert_eq!(tool_written_as_text("I would read the file with read_file if I could."), None);
    }
}
