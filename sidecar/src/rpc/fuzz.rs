//! The fuzz target's body, shared by `sidecar/fuzz` (libFuzzer, long runs from `scripts/fuzz.sh`)
//! and the short round in `cargo test`: arbitrary bytes go through the frame decoder in chunks,
//! every frame through `incoming::classify`, and every request's params through its command's
//! deserializer (no handler runs, so nothing touches the machine).
//!
//! Besides "never panics, never loops", it checks the property a lying header must never break:
//! whatever came before, the decoder is not deaf. After the input, three copies of a valid frame
//! are appended, and at least one of them must come out intact.

use crate::dispatch;
use crate::protocol::rpc::InitializeParams;
use crate::rpc::codec::{Frame, LspCodec};
use crate::rpc::incoming::{classify, Incoming};
use bytes::BytesMut;
use tokio_util::codec::Decoder;

/// A request every decoder state must recover to.
const PROBE: &[u8] = br#"{"jsonrpc":"2.0","id":"probe","method":"read_dir","params":{"path":""}}"#;

/// Runs one input. Panics (the fuzzer's finding) if the decoder misbehaves.
pub fn frames_and_requests(data: &[u8]) {
    let chunk = 1 + usize::from(data.first().copied().unwrap_or(0)) % 97;
    let mut codec = LspCodec::new();
    let mut buffer = BytesMut::new();
    for piece in data.chunks(chunk) {
        buffer.extend_from_slice(piece);
        drain(&mut codec, &mut buffer);
    }
    // Discarding keeps only a header's worth of bytes; a pending body is at most what was sent.
    assert!(buffer.len() <= data.len(), "the decoder holds more than it was given");
    let mut frame = format!("Content-Length: {}\r\n\r\n", PROBE.len()).into_bytes();
    frame.extend_from_slice(PROBE);
    let mut recovered = 0;
    for _ in 0..3 {
        buffer.extend_from_slice(&frame);
        recovered += drain(&mut codec, &mut buffer);
    }
    assert!(recovered >= 1, "the decoder stayed deaf after {} input bytes", data.len());
    for _ in 0..10_000 {
        match codec.decode_eof(&mut buffer).expect("decoding never fails on bad input") {
            Some(frame) => {
                handle(frame);
            }
            None => return,
        }
    }
    panic!("decode_eof never settled");
}

/// Decodes every complete frame in `buffer`; returns how many were the probe request.
fn drain(codec: &mut LspCodec, buffer: &mut BytesMut) -> usize {
    let mut probes = 0;
    for _ in 0..1_000_000 {
        match codec.decode(buffer).expect("decoding never fails on bad input") {
            Some(frame) => probes += usize::from(handle(frame)),
            None => return probes,
        }
    }
    panic!("the decoder produced frames without consuming input");
}

/// Classifies one frame and validates a request's params; true for the probe request.
fn handle(frame: Frame) -> bool {
    let Frame::Message(body) = frame else { return false };
    if let Incoming::Request { id, method, params } = classify(&body) {
        if method == "initialize" {
            let _ = dispatch::parse_params::<InitializeParams>("initialize", params);
        } else if let Some(command) = dispatch::table().get(method.as_str()) {
            let _ = (command.validate)(params);
        }
        return id == "probe" && *body == *PROBE;
    }
    false
}

#[cfg(test)]
mod tests {
    //! The short round `cargo test` runs: the committed corpus, then mutations of it from a fixed
    //! seed (bit flips, lying lengths spliced in, cuts, repeats). `scripts/fuzz.sh` runs the same
    //! body under libFuzzer for millions of inputs.

    use super::*;

    fn corpus() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/frames");
        let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(dir)
            .expect("the fuzz corpus is committed")
            .flatten()
            .filter_map(|entry| std::fs::read(entry.path()).ok())
            .collect();
        inputs.sort();
        assert!(inputs.len() >= 8, "the corpus has its seeds");
        inputs
    }

    /// A small deterministic generator (xorshift64*), so a failure reproduces.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const LIES: &[&str] = &["Content-Length: 999999999999\r\n\r\n", "Content-Length: 67108865\r\n\r\n", "Content-Length: 18446744073709551616\r\n\r\n", "Content-Length: 3\r\n\r\n", "Content-Length:\r\n\r\n", "Content-Length: 10\r\n", "\r\n\r\n"];

    fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = input.to_vec();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(6) {
                0 if !bytes.is_empty() => {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
                1 => bytes.splice(at..at, LIES[rng.below(LIES.len())].bytes()).for_each(drop),
                2 => bytes.truncate(at),
                3 => {
                    let other = &corpus[rng.below(corpus.len())];
                    bytes.splice(at..at, other.iter().copied()).for_each(drop);
                }
                4 => {
                    let end = (at + rng.below(64)).min(bytes.len());
                    let repeated = bytes[at..end].to_vec();
                    bytes.splice(at..at, repeated).for_each(drop);
                }
                _ => bytes.insert(at.min(bytes.len()), rng.next() as u8),
            }
        }
        bytes
    }

    #[test]
    fn short_fuzz_round() {
        let corpus = corpus();
        for input in &corpus {
            frames_and_requests(input);
        }
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let seed = &corpus[rng.below(corpus.len())];
            frames_and_requests(&mutate(&mut rng, seed, &corpus));
        }
    }
}
