//! `run_workflow`: runs a saved workflow in graph order and streams its progress on the channel as
//! CompletionEvents, so a chat renders it like an answer: a heading per node, an AI node's answer
//! as `Chunk`s, `bash` / `writefile` / `validate` as tool calls with their results. The stream ends
//! with one `Done` (`cancelled` after a stop) or `Error`, then the response `{requestId}`.
//!
//! Before anything runs, the graph is checked (`graph::plan`): unsupported node kinds, edges to
//! missing nodes and cycles end the stream with an `Error` (`invalid_workflow`) naming the nodes.
//!
//! Each node gets the outputs of the nodes whose edges lead to it. AI nodes call the model with
//! the node's system prompt (or the kind's own) and no tools. `bash` and `writefile` go through
//! the permission gate like the agent's `bash` and `write_file` (and the same tools run them, so
//! they are confined to the workspace and refused in an untrusted one); `validate` runs
//! `tsc --noEmit` and passes its output on along its `pass` or `fail` edges. A node whose every
//! incoming edge was not taken is skipped. `stop_generation_stream` and `$/cancelRequest` stop the
//! run between and inside nodes. A run given a `checkpoint` target files its writes and its
//! commands' changes there, as a chat answer does, so Restore checkpoint undoes them.

use super::graph::{self, Graph, Node};
use crate::commands::ai::events::Events;
use crate::commands::ai::gate::{self, PermissionOutcome};
use crate::commands::ai::stream::{prepare, Registration};
use crate::commands::ai::tools::{self, ToolContext, ToolOutcome};
use crate::confine::RelPath;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::protocol::ai::{
    CompletionEvent, CompletionRequest, DoneEvent, Message, StreamStarted, ToolCallEvent, ToolPermissionEvent, ToolPermissionMode,
    ToolResultEvent,
};
use crate::commands::process::package_manager;
use crate::protocol::workflows::RunWorkflowParams;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const DEFAULT_PERMISSION_WAIT: Duration = Duration::from_secs(300);
const VALIDATE_TIMEOUT_SECS: u64 = 300;

pub async fn run_workflow(context: RequestContext, params: RunWorkflowParams) -> Result<StreamStarted, AppError> {
    let Some(channel) = params.on_event else {
        return Err(AppError::invalid_params("run_workflow needs onEvent: the id of the channel its progress goes to"));
    };
    let cancel = context.cancel.child_token();
    let _registration = Registration::new(&context.state.ai.streams, channel, cancel.clone())?;
    let sender = context.channel::<CompletionEvent>(channel);
    let events = Events::channel(sender.clone());
    let id = params.workflow_id.clone();
    let terminal = match Run::new(&context, params, events, cancel).await {
        Ok(run) => run.all().await,
        Err(message) => CompletionEvent::error(message, "invalid_workflow"),
    };
    let ending = match &terminal {
        CompletionEvent::Error(error) => format!("Error: {}", error.message),
        _ => "Done".into(),
    };
    crate::rpc::server::log(&format!("workflow {id} on channel {channel}: {ending}"));
    sender.send(terminal);
    Ok(StreamStarted { request_id: channel })
}

/// How a node ended when it did not produce an output.
enum Stop {
    Cancelled,
    Failed(String, &'static str),
}

struct Run {
    context: RequestContext,
    params: RunWorkflowParams,
    graph: Graph,
    order: Vec<usize>,
    events: Events,
    cancel: CancellationToken,
    tools: ToolContext,
    allowlist: Vec<String>,
    mode: ToolPermissionMode,
    permission_wait: Duration,
}

impl Run {
    /// Loads and checks the workflow; the error is the message the stream ends with.
    async fn new(context: &RequestContext, params: RunWorkflowParams, events: Events, cancel: CancellationToken) -> Result<Run, String> {
        let workspace = context.session.workspace.root().map_err(|err| err.message)?.clone();
        let id = params.workflow_id.clone();
        let text = tokio::task::spawn_blocking(move || super::read_workflow(&workspace, &id))
            .await
            .map_err(|err| format!("reading the workflow failed unexpectedly ({err})"))?
            .map_err(|err| err.message)?;
        let file = super::workflow_file(&params.workflow_id).map_err(|err| err.message)?;
        let graph = graph::parse(&text, file.wire())?;
        if graph.nodes.is_empty() {
            return Err(format!("{} has no nodes; add some on the canvas first. Nothing was run.", file.wire()));
        }
        let order = graph::plan(&graph)?;
        if graph.nodes.iter().any(Node::is_ai) && params.model.trim().is_empty() {
            return Err("No model selected — pick a model in the chat header; this workflow's AI nodes need one.".into());
        }
        let session = &context.session;
        let mut tools = ToolContext::for_session(session, cancel.clone());
        tools.checkpoint = crate::commands::checkpoints::turn_recorder(context, params.checkpoint.as_ref());
        Ok(Run {
            context: context.clone(),
            graph,
            order,
            events,
            tools,
            allowlist: params.tool_allowlist.clone().unwrap_or_default(),
            mode: params.tool_permission_mode.unwrap_or_default(),
            permission_wait: params.permission_timeout_seconds.filter(|s| s.is_finite() && *s > 0.0).map(Duration::from_secs_f64).unwrap_or(DEFAULT_PERMISSION_WAIT),
            params,
            cancel,
        })
    }

    fn say(&self, text: impl Into<String>) {
        self.events.chunk(text.into(), String::new());
    }

    async fn all(mut self) -> CompletionEvent {
        let names: Vec<&str> = self.order.iter().map(|&i| self.graph.nodes[i].name.as_str()).collect();
        self.say(format!("Running workflow **{}**: {}\n", self.params.workflow_id, names.join(" → ")));
        let mut outputs: HashMap<String, String> = HashMap::new();
        let mut passed: HashMap<String, bool> = HashMap::new();
        let mut ran = 0;
        for (step, index) in self.order.clone().into_iter().enumerate() {
            if self.cancel.is_cancelled() {
                return cancelled();
            }
            let node = self.graph.nodes[index].clone();
            self.say(format!("\n\n### {}. {} · {}\n\n", step + 1, node.name, node.kind));
            let incoming: Vec<&graph::Edge> = self.graph.edges.iter().filter(|edge| edge.target == node.id).collect();
            let taken: Vec<&graph::Edge> = incoming.iter().copied().filter(|edge| is_taken(edge, &outputs, &passed)).collect();
            if !incoming.is_empty() && taken.is_empty() {
                self.say("Skipped: none of the branches leading here was taken.\n");
                continue;
            }
            let input = taken.iter().filter_map(|edge| outputs.get(&edge.source)).map(String::as_str).collect::<Vec<_>>().join("\n\n");
            let result = match node.kind.as_str() {
                "input" => Ok(self.input(&node)),
                "output" => Ok(self.output(&taken, &input)),
                "bash" => self.bash(&node, step).await,
                "writefile" => self.write_file(&node, step, &input).await,
                "validate" => self.validate(&node, step).await.map(|(text, ok)| {
                    passed.insert(node.id.clone(), ok);
                    text
                }),
                _ => self.ai(&node, &input).await,
            };
            match result {
                Ok(output) => {
                    outputs.insert(node.id.clone(), output);
                    ran += 1;
                }
                Err(Stop::Cancelled) => return cancelled(),
                Err(Stop::Failed(message, code)) => return CompletionEvent::error(format!("{} ({}): {message}", node.name, node.kind), code),
            }
        }
        self.say(format!("\n\n---\nWorkflow finished: {ran} of {} nodes ran.\n", self.order.len()));
        CompletionEvent::Done(DoneEvent { done_reason: Some("stop".into()), usage: None, warning: None })
    }

    fn input(&self, node: &Node) -> String {
        let value = node.text(&["value", "text", "input", "content"]).or_else(|| self.params.input.clone().filter(|i| !i.trim().is_empty())).unwrap_or_default();
        if value.is_empty() {
            self.say("(empty input)\n");
        } else {
            self.say(format!("{}\n", quote(&value)));
        }
        value
    }

    fn output(&self, taken: &[&graph::Edge], input: &str) -> String {
        // An AI node's answer was streamed just above; show anything else here.
        let from_ai = taken.len() == 1 && self.graph.node(&taken[0].source).is_some_and(Node::is_ai);
        if from_ai {
            self.say(format!("The result is the answer of {}, above.\n", self.graph.shown(&taken[0].source)));
        } else if input.is_empty() {
            self.say("(no output)\n");
        } else {
            self.say(format!("{}\n", quote(input)));
        }
        input.to_string()
    }

    async fn ai(&self, node: &Node, input: &str) -> Result<String, Stop> {
        let system = node.text(&["systemPrompt"]).unwrap_or_else(|| built_in_prompt(&node.kind).to_string());
        let mut user = node.text(&["prompt", "instructions", "userPrompt"]).unwrap_or_default();
        let input = if input.trim().is_empty() { self.params.input.clone().unwrap_or_default() } else { input.to_string() };
        if !input.trim().is_empty() {
            if !user.is_empty() {
                user.push_str("\n\n");
            }
            user.push_str(&input);
        }
        if user.trim().is_empty() {
            return Err(Stop::Failed("it has nothing to work on: connect an input to it, or give it a prompt".into(), "node_failed"));
        }
        let request = CompletionRequest {
            model: self.params.model.clone(),
            messages: vec![
                Message { role: "system".into(), content: system, ..Default::default() },
                Message { role: "user".into(), content: user, ..Default::default() },
            ],
            host: self.params.host.clone(),
            api_key: self.params.api_key.clone(),
            provider: self.params.provider,
            tools: Some(false),
            options: self.params.options.clone(),
            think: self.params.think.clone(),
            idle_timeout_seconds: self.params.idle_timeout_seconds,
            ..Default::default()
        };
        let agent = match prepare(&self.context, request, self.events.clone(), self.cancel.clone(), false).await {
            Ok(agent) => agent,
            Err(failure) if failure.code == "cancelled" => return Err(Stop::Cancelled),
            Err(failure) => return Err(Stop::Failed(failure.message, failure.code)),
        };
        let outcome = agent.run().await;
        match outcome.failure {
            None => Ok(outcome.text),
            Some(failure) if failure.code == "cancelled" => Err(Stop::Cancelled),
            Some(failure) => Err(Stop::Failed(failure.message, failure.code)),
        }
    }

    async fn bash(&mut self, node: &Node, step: usize) -> Result<String, Stop> {
        let Some(command) = node.text(&["command", "script", "cmd"]) else {
            return Err(Stop::Failed("it has no command; set the node's command".into(), "node_failed"));
        };
        let mut args = json!({ "command": command });
        if let Some(timeout) = node.data.get("timeout").and_then(Value::as_u64) {
            args["timeout"] = json!(timeout);
        }
        let reason = format!("runs `{command}` in the workspace folder");
        let outcome = self.tool(step, node, "bash", "bash", args, reason).await?;
        if !outcome.success {
            return Err(Stop::Failed(first_line(&outcome.output), "node_failed"));
        }
        Ok(outcome.output)
    }

    async fn write_file(&mut self, node: &Node, step: usize, input: &str) -> Result<String, Stop> {
        let Some(path) = node.text(&["path", "filePath", "outputPath", "file"]) else {
            return Err(Stop::Failed("it has no path; set the file it writes, relative to the workspace".into(), "node_failed"));
        };
        let content = node.text(&["content"]).unwrap_or_else(|| code_of(input));
        let exists = RelPath::parse(&path).ok().zip(self.context.session.workspace.root().ok()).is_some_and(|(p, root)| root.symlink_metadata(&p).is_ok());
        let reason = if exists { format!("overwrites {path}") } else { format!("writes {path} (new file)") };
        let outcome = self.tool(step, node, "write_file", "write_file", json!({ "path": path, "content": content }), reason).await?;
        if !outcome.success {
            return Err(Stop::Failed(first_line(&outcome.output), "node_failed"));
        }
        Ok(content)
    }

    /// `tsc --noEmit` in the workspace (or `-p <project>`); passes on `(output, passed)`.
    async fn validate(&mut self, node: &Node, step: usize) -> Result<(String, bool), Stop> {
        let root = self.context.session.workspace.root().ok();
        let local_tsc = RelPath::parse("node_modules/.bin/tsc").ok().zip(root).is_some_and(|(p, root)| root.metadata(&p).is_ok_and(|m| m.is_file()));
        let mut command = if local_tsc {
            "node_modules/.bin/tsc --noEmit".to_string()
        } else {
            // The project's own manager (its lockfile, or the setting) runs tsc without downloading it.
            let lockfile = root.and_then(|root| package_manager::from_lockfile(root, &RelPath::root()));
            let (program, args) = package_manager::choose(self.context.session.package_manager, lockfile).exec("tsc", &["--noEmit".to_string()]);
            format!("{program} {}", args.join(" "))
        };
        if let Some(project) = node.text(&["project", "tsconfig"]) {
            command.push_str(&format!(" -p {}", shlex::try_quote(&project).map_err(|_| Stop::Failed("its project path has a NUL byte".into(), "node_failed"))?));
        }
        let args = json!({ "command": command, "timeout": VALIDATE_TIMEOUT_SECS });
        // Not gated (the seed's validate runs without asking), but it runs a program: refused in
        // an untrusted workspace, like bash.
        let call_id = format!("workflow-{step}-{}", node.id);
        self.events.send(CompletionEvent::ToolCall(ToolCallEvent { id: call_id.clone(), tool: "validate".into(), args: args.clone() }));
        let outcome = tools::run(&self.tools, "bash", &args).await;
        if self.cancel.is_cancelled() {
            self.result(&call_id, "validate", &outcome);
            return Err(Stop::Cancelled);
        }
        let untrusted = !self.tools.trusted;
        self.result(&call_id, "validate", &outcome);
        if untrusted {
            return Err(Stop::Failed(first_line(&outcome.output), "node_failed"));
        }
        self.say(if outcome.success { "Type check passed.\n" } else { "Type check failed; following the `fail` branch.\n" });
        Ok((outcome.output, outcome.success))
    }

    /// Announces a tool call, asks permission as the agent would, runs it and reports the result.
    async fn tool(&mut self, step: usize, node: &Node, shown: &str, tool: &str, args: Value, reason: String) -> Result<ToolOutcome, Stop> {
        let call_id = format!("workflow-{step}-{}", node.id);
        self.events.send(CompletionEvent::ToolCall(ToolCallEvent { id: call_id.clone(), tool: shown.into(), args: args.clone() }));
        let refused = tools::changes_things(tool) && !self.tools.trusted;
        // A file change is worked out first, as the agent does, so the card shows exactly what
        // would be written (and the user may edit it); one that cannot apply fails here.
        let change = match refused {
            true => None,
            false => match tools::propose(&self.tools, tool, &args).await {
                Some(Ok(change)) => Some(change),
                Some(Err(failure)) => {
                    self.result(&call_id, shown, &failure);
                    return Err(Stop::Failed(format!("{}, so the workflow stopped", first_line(&failure.output)), "node_failed"));
                }
                None => None,
            },
        };
        let mut accepted_content = None;
        if !refused && gate::needs_permission(tool, self.mode, &self.allowlist) {
            let state = self.context.state.clone();
            let proposal = change.as_ref().map(tools::Change::proposal);
            let command_review = (tool == "bash").then(|| tools::review_command(&args)).flatten();
            let end = state
                .ai
                .waits
                .permission(&self.events, &self.cancel, self.permission_wait, |id| {
                    CompletionEvent::ToolPermission(ToolPermissionEvent {
                        id,
                        tool_call_id: call_id.clone(),
                        tool: shown.into(),
                        args: args.clone(),
                        reason: Some(reason),
                        proposal,
                        command_review,
                    })
                })
                .await;
            let rejected = match end.permission_outcome(shown, self.permission_wait) {
                PermissionOutcome::Allowed { content, always } => {
                    if always {
                        self.allowlist.push(tool.to_string());
                    }
                    accepted_content = content;
                    None
                }
                PermissionOutcome::Refused(message) => Some(message),
                PermissionOutcome::Cancelled => return Err(Stop::Cancelled),
            };
            if let Some(message) = rejected {
                let outcome = ToolOutcome::fail(message.clone());
                self.result(&call_id, shown, &outcome);
                return Err(Stop::Failed(format!("{message}, so the workflow stopped"), "node_failed"));
            }
        }
        if self.cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        let outcome = match change {
            Some(change) => tools::change::apply(&self.tools, change, accepted_content).await,
            None => tools::run(&self.tools, tool, &args).await,
        };
        self.result(&call_id, shown, &outcome);
        if self.cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        Ok(outcome)
    }

    fn result(&self, call_id: &str, tool: &str, outcome: &ToolOutcome) {
        self.events.send(CompletionEvent::ToolResult(ToolResultEvent {
            id: call_id.to_string(),
            tool: tool.to_string(),
            success: outcome.success,
            output: outcome.output.clone(),
            path: outcome.path.clone(),
            content: outcome.content.clone(),
            previous_content: outcome.previous_content.clone(),
        }));
    }
}

fn cancelled() -> CompletionEvent {
    CompletionEvent::Done(DoneEvent { done_reason: Some("cancelled".into()), usage: None, warning: None })
}

/// An edge carries its source's output when the source ran and, from a validate node, when it
/// leaves from the output that matches the result (`pass` / `fail`; other handles always).
fn is_taken(edge: &graph::Edge, outputs: &HashMap<String, String>, passed: &HashMap<String, bool>) -> bool {
    if !outputs.contains_key(&edge.source) {
        return false;
    }
    match (passed.get(&edge.source), edge.source_handle.as_deref()) {
        (Some(ok), Some(handle)) if handle.ends_with("pass") => *ok,
        (Some(ok), Some(handle)) if handle.ends_with("fail") => !*ok,
        _ => true,
    }
}

/// The first fenced code block of a model's answer, or the whole text.
fn code_of(text: &str) -> String {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.trim_start().starts_with("```")).collect();
            return body.join("\n") + "\n";
        }
    }
    text.to_string()
}

fn quote(text: &str) -> String {
    text.lines().map(|line| format!("> {line}")).collect::<Vec<_>>().join("\n")
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).to_string()
}

/// The system prompt of an AI node that sets none of its own.
fn built_in_prompt(kind: &str) -> &'static str {
    match kind {
        "requirements" => "You are a product analyst. Turn the input into a short, numbered list of concrete requirements for a web UI: users, screens, data and behaviour. No code.",
        "designSystem" => "You are a design-system lead. From the input, define the design tokens (colours, type scale, spacing, radii, shadows) and the core components, concisely.",
        "reference" => "You are a UI researcher. Describe the layout, components and interactions of the reference described in the input, as notes a developer can build from.",
        "architect" => "You are a senior front-end architect. From the requirements, design the app: routes, components with their props, state and data flow. Be concise and concrete.",
        "structure" => "You are a React and TypeScript developer. Write the component structure (JSX with semantic HTML and Tailwind classes) for the design in the input. Answer with code.",
        "style" => "You are a UI designer who writes Tailwind CSS. Improve the visual styling of the code in the input: spacing, typography, colour and states. Answer with the full code.",
        "interaction" => "You are a React developer. Add the interactivity the input needs (state, handlers, forms, accessibility) to the code. Answer with the full code.",
        "composition" => "You are a React developer. Compose the pieces in the input into one working component or page. Answer with the full code.",
        "transform" => "Transform the input as the node's instructions say, and answer with the result only.",
        "summarize" => "Summarize the input in a few short paragraphs or bullets: what was decided and what was built.",
        _ => "You are a helpful assistant working on a web UI prototype. Do what the input asks.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_taken_from_the_first_fence() {
        assert_eq!(code_of("Here:\n```tsx\nexport const A = 1;\n```\nmore"), "export const A = 1;\n");
        assert_eq!(code_of("plain text"), "plain text");
    }

    #[test]
    fn validate_branches() {
        let outputs = HashMap::from([("v".to_string(), String::new())]);
        let passed = HashMap::from([("v".to_string(), false)]);
        let edge = |handle: Option<&str>| graph::Edge { source: "v".into(), target: "x".into(), source_handle: handle.map(str::to_string) };
        assert!(!is_taken(&edge(Some("pass")), &outputs, &passed));
        assert!(is_taken(&edge(Some("fail")), &outputs, &passed));
        assert!(is_taken(&edge(None), &outputs, &passed));
        assert!(!is_taken(&graph::Edge { source: "other".into(), ..edge(None) }, &outputs, &passed));
    }
}
