//! The image server's output: kept (the last lines) for error messages and for a log channel that
//! subscribes later, and sent to every subscribed channel as process `Output` messages. When the
//! server ends, each channel gets its one terminal `Exit`.
//!
//! Lines arrive on the pipe-reader threads (`process::Sink::Lines`) and subscriptions from async
//! tasks; one lock orders both, so a subscriber gets the kept lines, then every later line, once.
//! Messages are queued (`ChannelSender::send`) from both places: the log is small, so no
//! back-pressure on the server is needed, and one door keeps wire order equal to index order.

use crate::channel::ChannelSender;
use crate::commands::process::ExitInfo;
use crate::protocol::process::{OutputStream, ProcessEvent};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Lines kept for late subscribers and error messages.
const KEPT_LINES: usize = 400;

type LogChannel = Arc<ChannelSender<ProcessEvent>>;

#[derive(Default)]
pub struct LogHub {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    kept: VecDeque<(OutputStream, String)>,
    subscribers: Vec<LogChannel>,
    ended: Option<ExitInfo>,
}

impl LogHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Lines the server printed on `stream`.
    pub fn deliver(&self, stream: OutputStream, lines: Vec<String>) {
        let mut inner = self.lock();
        for line in &lines {
            if inner.kept.len() == KEPT_LINES {
                inner.kept.pop_front();
            }
            inner.kept.push_back((stream, line.clone()));
        }
        inner.subscribers.retain(|channel| channel.send(ProcessEvent::Output { stream, lines: lines.clone() }));
    }

    /// Adds a channel: it gets the kept lines now and everything later; if the server already
    /// ended, it gets the kept lines and the exit at once.
    pub fn subscribe(&self, channel: LogChannel) {
        let mut inner = self.lock();
        let mut run: Option<(OutputStream, Vec<String>)> = None;
        for (stream, line) in &inner.kept {
            match &mut run {
                Some((current, lines)) if current == stream => lines.push(line.clone()),
                _ => {
                    if let Some((stream, lines)) = run.take() {
                        channel.send(ProcessEvent::Output { stream, lines });
                    }
                    run = Some((*stream, vec![line.clone()]));
                }
            }
        }
        if let Some((stream, lines)) = run {
            channel.send(ProcessEvent::Output { stream, lines });
        }
        match &inner.ended {
            Some(exit) => {
                channel.send(ProcessEvent::Exit { code: exit.code, signal: exit.signal.clone() });
            }
            None => inner.subscribers.push(channel),
        }
    }

    /// The server ended: every channel gets `Exit`, and later subscribers will too.
    pub fn end(&self, exit: &ExitInfo) {
        let mut inner = self.lock();
        for channel in inner.subscribers.drain(..) {
            channel.send(ProcessEvent::Exit { code: exit.code, signal: exit.signal.clone() });
        }
        inner.ended = Some(exit.clone());
    }

    /// The last `count` lines, for an error message.
    pub fn tail(&self, count: usize) -> String {
        let inner = self.lock();
        let skip = inner.kept.len().saturating_sub(count);
        inner.kept.iter().skip(skip).map(|(_, line)| line.as_str()).collect::<Vec<_>>().join("\n")
    }
}
