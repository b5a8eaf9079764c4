//! What a stream cost, summed over the agent's turns into the `Usage` of its `Done`.
//!
//! Counts are the provider's when it sends them (Ollama and Anthropic always do; OpenAI-compatible
//! servers when they honour `stream_options.include_usage`). Otherwise the completion count is
//! estimated and `estimated` says so: the larger of the number of stream lines that carried output
//! (servers send at most one per token, llama.cpp's exactly one) and ~4 bytes a token of the text,
//! thinking and tool-call arguments. A prompt count nobody gave stays absent.
//!
//! Tokens per second are measured over generation only: from each turn's first output of any
//! kind (text, thinking or tool-call arguments) to its end, or the provider's own generation time.
//! The wait for the first token, tool runs and permission prompts are not generation.

use super::providers::TurnOutput;
use crate::protocol::ai::Usage;
use std::time::{Duration, Instant};

pub struct Meter {
    started: Instant,
    prompt_tokens: Option<u32>,
    completion_tokens: u32,
    estimated: bool,
    first_token: Option<Duration>,
    generation: Duration,
    truncated: bool,
    context_length: Option<u32>,
}

impl Meter {
    pub fn new(context_length: Option<u32>) -> Self {
        Meter {
            started: Instant::now(),
            prompt_tokens: None,
            completion_tokens: 0,
            estimated: false,
            first_token: None,
            generation: Duration::ZERO,
            truncated: false,
            context_length,
        }
    }

    /// Adds a turn, or the part of one that streamed before a stop. `estimate` (Ollama only) is the
    /// prompt size sent, to detect truncation.
    pub fn add(&mut self, output: &TurnOutput, estimate: Option<u32>) {
        if let (None, Some(first), Some(started)) = (self.first_token, output.first_token_at, output.started_at) {
            self.first_token = Some(first.saturating_duration_since(started));
        }
        let generated = match output.completion_tokens {
            Some(count) => count,
            None => {
                let bytes = output.text.len()
                    + output.thinking.len()
                    + output.tool_calls.iter().map(|call| call.name.len() + call.arguments.to_string().len()).sum::<usize>();
                // Rounded up, so that output that arrived never counts as 0 tokens.
                let by_bytes = bytes.div_ceil(4).min(u32::MAX as usize) as u32;
                if by_bytes > 0 || output.pieces > 0 {
                    self.estimated = true;
                }
                by_bytes.max(output.pieces)
            }
        };
        self.completion_tokens = self.completion_tokens.saturating_add(generated);
        // The last turn's prompt is what the context held; unknown when that turn did not say.
        self.prompt_tokens = output.prompt_tokens;
        let measured = match (output.first_output_at, output.finished_at) {
            (Some(first), Some(end)) => end.saturating_duration_since(first),
            _ => Duration::ZERO,
        };
        self.generation += output.generation_time.unwrap_or(measured);
        if let Some(estimate) = estimate {
            self.truncated |= looks_truncated(estimate, output.prompt_tokens, self.context_length);
        }
    }

    pub fn usage(&self) -> Usage {
        let seconds = self.generation.as_secs_f64();
        Usage {
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
            estimated: self.estimated,
            time_to_first_token_ms: self.first_token.map(|d| d.as_secs_f64() * 1000.0),
            tokens_per_second: if seconds > 0.0 { self.completion_tokens as f64 / seconds } else { 0.0 },
            total_duration_ms: self.started.elapsed().as_secs_f64() * 1000.0,
            truncated: self.truncated,
            context_length: self.context_length,
        }
    }
}

/// Did Ollama (probably) cut the prompt? Yes when our estimate alone exceeds the window, or when
/// it evaluated far fewer tokens than we sent (under 60 % of the estimate, which is rough by
/// ±30 %). A KV-cache hit also lowers the count, so with a known window the low count only
/// counts when it also fills at least half of the window, as a truncated prompt does.
pub fn looks_truncated(estimate: u32, evaluated: Option<u32>, num_ctx: Option<u32>) -> bool {
    if num_ctx.is_some_and(|window| estimate > window) {
        return true;
    }
    let Some(evaluated) = evaluated else { return false };
    let low = estimate >= 256 && (evaluated as f64) < estimate as f64 * 0.6;
    match num_ctx {
        Some(window) => low && evaluated as f64 >= window as f64 * 0.5,
        None => low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ai::ToolCallRef;
    use serde_json::json;

    #[test]
    fn a_stopped_turn_counts_what_streamed_and_never_invents_a_first_token() {
        let started = Instant::now();
        let mut meter = Meter::new(None);
        let nothing = TurnOutput { started_at: Some(started), finished_at: Some(started + Duration::from_millis(40)), ..Default::default() };
        meter.add(&nothing, None);
        let usage = meter.usage();
        assert_eq!((usage.time_to_first_token_ms, usage.completion_tokens, usage.tokens_per_second), (None, 0, 0.0));
        assert!(!usage.estimated && usage.prompt_tokens.is_none());

        let mut meter = Meter::new(None);
        let partial = TurnOutput {
            text: "Hello".into(),
            started_at: Some(started),
            first_token_at: Some(started + Duration::from_millis(120)),
            first_output_at: Some(started + Duration::from_millis(120)),
            finished_at: Some(started + Duration::from_millis(320)),
            ..Default::default()
        };
        meter.add(&partial, None);
        let usage = meter.usage();
        assert_eq!(usage.time_to_first_token_ms, Some(120.0));
        assert_eq!(usage.completion_tokens, 2, "5 bytes estimate to 2 tokens (rounded up)");
        assert!(usage.estimated);
        assert!((usage.tokens_per_second - 10.0).abs() < 1e-9, "2 tokens in the 200 ms after the first: {}", usage.tokens_per_second);
    }

    #[test]
    fn a_tool_only_turn_counts_its_arguments_over_their_generation_time() {
        let t0 = Instant::now();
        let mut meter = Meter::new(None);
        // A llama.cpp-like turn: no usage, 50 lines of tool-call arguments over one second after a
        // 2 s wait for the first token, then a text turn of 10 lines over 0.2 s.
        let call = ToolCallRef { id: "c".into(), name: "write_file".into(), arguments: json!({"path": "a.txt", "content": "x".repeat(120)}) };
        let tool_turn = TurnOutput {
            tool_calls: vec![call],
            pieces: 50,
            started_at: Some(t0),
            first_output_at: Some(t0 + Duration::from_secs(2)),
            finished_at: Some(t0 + Duration::from_secs(3)),
            ..Default::default()
        };
        meter.add(&tool_turn, None);
        let text_turn = TurnOutput {
            text: "Done.".into(),
            pieces: 10,
            started_at: Some(t0 + Duration::from_secs(10)),
            first_token_at: Some(t0 + Duration::from_secs(11)),
            first_output_at: Some(t0 + Duration::from_secs(11)),
            finished_at: Some(t0 + Duration::from_millis(11_200)),
            ..Default::default()
        };
        meter.add(&text_turn, None);
        let usage = meter.usage();
        assert!(usage.estimated && usage.prompt_tokens.is_none());
        assert_eq!(usage.completion_tokens, 50 + 10, "the floor of one token per line wins over bytes/4");
        assert!((usage.tokens_per_second - 50.0).abs() < 1e-6, "60 tokens over 1.2 s of generation: {}", usage.tokens_per_second);
    }

    #[test]
    fn provider_counts_are_not_estimates() {
        let t0 = Instant::now();
        let mut meter = Meter::new(Some(8192));
        let turn = TurnOutput {
            text: "Hi".into(),
            prompt_tokens: Some(42),
            completion_tokens: Some(3),
            generation_time: Some(Duration::from_millis(100)),
            started_at: Some(t0),
            first_token_at: Some(t0),
            first_output_at: Some(t0),
            finished_at: Some(t0 + Duration::from_secs(1)),
            ..Default::default()
        };
        meter.add(&turn, Some(40));
        let usage = meter.usage();
        assert_eq!((usage.prompt_tokens, usage.completion_tokens, usage.estimated), (Some(42), 3, false));
        assert!((usage.tokens_per_second - 30.0).abs() < 1e-6);
    }

    #[test]
    fn truncation_heuristic() {
        assert!(looks_truncated(10_000, Some(4_000), Some(4_096)), "estimate above the window");
        assert!(looks_truncated(3_000, Some(1_000), None), "far fewer evaluated, window unknown");
        assert!(!looks_truncated(3_000, Some(2_500), None));
        assert!(!looks_truncated(3_000, Some(200), Some(32_768)), "a cache hit is not truncation");
        assert!(looks_truncated(30_000, Some(16_384), Some(32_768)), "the window filled and much was missing");
        assert!(!looks_truncated(100, Some(10), None), "tiny prompts are not judged");
    }
}
