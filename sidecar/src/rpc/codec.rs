//! LSP base-protocol framing: `Content-Length: N\r\n` (plus optional other headers), a blank line,
//! then N bytes of UTF-8 JSON. This is what `vscode-jsonrpc`'s stream reader and writer speak.
//!
//! The decoder never fails the stream on bad input: a header block it cannot read becomes
//! `Frame::Malformed` (the server answers it with a parse error) and decoding resumes after it, so
//! one garbage frame cannot take the sidecar down. Only I/O errors end the stream.
//!
//! Resynchronisation: after garbage or a wrong `Content-Length`, the decoder finds the next frame
//! by its `Content-Length:` header. A length above `MAX_BODY_BYTES` (or one that is not a number)
//! is answered with one `Malformed` and the decoder then discards input until the next header: it
//! never counts down a declared length it refused, so a lying header cannot make it deaf. This is safe because a JSON text can never contain
//! `Content-Length:` followed by digits and a raw CR LF (outside a string the name would be a bare
//! word; inside one, raw CR/LF are not allowed), so when such a header shows up where a body was
//! expected, the previous length was wrong and the header starts the next frame.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// Longest header block accepted before the input is treated as garbage.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Largest body accepted; a bigger `Content-Length` is refused and decoding resumes at the next
/// header. The host's largest messages are a file written whole or a few attached images.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Memory reserved ahead for a body, at most: a declared length is a claim, not a promise, so the
/// buffer grows with the bytes that really arrive.
const MAX_RESERVE: usize = 1024 * 1024;

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// The body of a well-framed message (not yet parsed as JSON).
    Message(Bytes),
    /// Input that is not a frame; the string says what was wrong.
    Malformed(String),
}

/// The frame codec. Holds the body length once a header block has been read.
#[derive(Debug, Default)]
pub struct LspCodec {
    /// `Some(n)` while waiting for an n-byte body.
    body_length: Option<usize>,
    /// True after a refused header: input is discarded until the next `Content-Length:` line.
    discarding: bool,
    /// How much of the pending body has been checked for an embedded frame header already, so a
    /// body arriving in many reads is scanned once, not once per read.
    scanned: usize,
}

impl LspCodec {
    pub fn new() -> Self {
        Self::default()
    }
}

fn find_header_end(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|window| window == b"\r\n\r\n")
}

const CONTENT_LENGTH: &[u8] = b"content-length:";

/// Positions of `Content-Length:` (any case) in `haystack`, from `from` on.
fn content_length_positions(haystack: &[u8], from: usize) -> impl Iterator<Item = usize> + '_ {
    (from..haystack.len().saturating_sub(CONTENT_LENGTH.len() - 1)).filter(move |&at| {
        (haystack[at] | 0x20) == b'c' && haystack[at..at + CONTENT_LENGTH.len()].eq_ignore_ascii_case(CONTENT_LENGTH)
    })
}

/// What follows a `Content-Length:` found at `at`: a header line (`[ \t]*digits\r\n`), not one, or
/// not yet known because `haystack` ends first.
#[derive(PartialEq)]
enum HeaderMatch {
    Yes,
    No,
    Incomplete,
}

fn header_line_at(haystack: &[u8], at: usize) -> HeaderMatch {
    let mut rest = haystack[at + CONTENT_LENGTH.len()..].iter().skip_while(|&&b| b == b' ' || b == b'\t');
    let mut digits = 0;
    loop {
        match rest.next() {
            None => return HeaderMatch::Incomplete,
            Some(b) if b.is_ascii_digit() => digits += 1,
            Some(b'\r') if digits > 0 => {
                return match rest.next() {
                    None => HeaderMatch::Incomplete,
                    Some(b'\n') => HeaderMatch::Yes,
                    Some(_) => HeaderMatch::No,
                }
            }
            Some(_) => return HeaderMatch::No,
        }
    }
}

/// Where a frame header starts inside `body[from..]`, a body that cannot contain one (see the
/// module doc). `Err(at)` when a candidate at `at` cannot be decided until more bytes arrive.
fn embedded_header(body: &[u8], from: usize) -> Result<Option<usize>, usize> {
    for at in content_length_positions(body, from) {
        match header_line_at(body, at) {
            HeaderMatch::Yes => return Ok(Some(at)),
            HeaderMatch::Incomplete => return Err(at),
            HeaderMatch::No => {}
        }
    }
    Ok(None)
}

/// Reads the `Content-Length` from a header block (without the terminating blank line).
fn parse_headers(block: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(block).map_err(|_| "header block is not UTF-8".to_string())?;
    let mut length = None;
    for line in text.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line {line:?} (expected `Name: value`)"));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let parsed = value
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("Content-Length {:?} is not a number", value.trim()))?;
            length = Some(parsed);
        }
    }
    length.ok_or_else(|| "frame has no Content-Length header".to_string())
}

impl Decoder for LspCodec {
    type Item = Frame;
    type Error = std::io::Error;

    fn decode(&mut self, buffer: &mut BytesMut) -> Result<Option<Frame>, std::io::Error> {
        loop {
            if self.discarding {
                match embedded_header(buffer, 0) {
                    Ok(Some(at)) => {
                        buffer.advance(at);
                        self.discarding = false;
                    }
                    Ok(None) => {
                        // Keep a tail that may be the start of a header split across reads.
                        let keep = CONTENT_LENGTH.len().min(buffer.len());
                        buffer.advance(buffer.len() - keep);
                        return Ok(None);
                    }
                    Err(undecided) => {
                        buffer.advance(undecided);
                        return Ok(None);
                    }
                }
            }
            if let Some(length) = self.body_length {
                let available = buffer.len().min(length);
                // A body holding a frame header means the Content-Length was too large: the
                // bytes before it are the broken frame, and the header starts the next one.
                match embedded_header(&buffer[..available], self.scanned) {
                    Ok(Some(at)) => {
                        buffer.advance(at);
                        self.body_length = None;
                        self.scanned = 0;
                        return Ok(Some(Frame::Malformed(format!(
                            "frame body ended after {at} of its {length} declared bytes (a new frame header followed); discarded"
                        ))));
                    }
                    Ok(None) => self.scanned = available.saturating_sub(CONTENT_LENGTH.len()),
                    Err(undecided) => self.scanned = undecided,
                }
                if buffer.len() < length {
                    buffer.reserve((length - buffer.len()).min(MAX_RESERVE));
                    return Ok(None);
                }
                self.body_length = None;
                self.scanned = 0;
                return Ok(Some(Frame::Message(buffer.split_to(length).freeze())));
            }
            // Blank lines between frames are tolerated (some writers add a trailing newline).
            while buffer.starts_with(b"\r\n") {
                buffer.advance(2);
            }
            let Some(header_end) = find_header_end(buffer) else {
                if buffer.len() > MAX_HEADER_BYTES {
                    // Keep a trailing `Content-Length:` that may begin the next frame.
                    let keep_from = content_length_positions(buffer, 1).last().unwrap_or(buffer.len());
                    buffer.advance(keep_from);
                    return Ok(Some(Frame::Malformed(format!(
                        "{keep_from} bytes without a frame header end (\\r\\n\\r\\n); discarded"
                    ))));
                }
                return Ok(None);
            };
            let parsed = parse_headers(&buffer[..header_end]);
            if parsed.is_err() {
                // Garbage glued to the front of a real header: drop the garbage only, so the
                // frame that follows it is still read.
                if let Some(at) = content_length_positions(&buffer[..header_end], 1).last() {
                    let garbage: String = String::from_utf8_lossy(&buffer[..at.min(80)]).into_owned();
                    buffer.advance(at);
                    return Ok(Some(Frame::Malformed(format!("{at} bytes of garbage before a frame header: {garbage:?}"))));
                }
            }
            buffer.advance(header_end + 4);
            match parsed {
                Ok(length) if length > MAX_BODY_BYTES => {
                    self.discarding = true;
                    return Ok(Some(Frame::Malformed(format!(
                        "frame body of {length} bytes exceeds the {MAX_BODY_BYTES}-byte limit; discarded up to the next frame header"
                    ))));
                }
                Ok(length) => {
                    self.body_length = Some(length);
                    continue;
                }
                Err(reason) => {
                    // What followed a header that cannot be read is no frame of ours.
                    self.discarding = true;
                    return Ok(Some(Frame::Malformed(reason)));
                }
            }
        }
    }

    fn decode_eof(&mut self, buffer: &mut BytesMut) -> Result<Option<Frame>, std::io::Error> {
        match self.decode(buffer)? {
            Some(frame) => Ok(Some(frame)),
            None => {
                let truncated = (self.body_length.is_some() || !buffer.is_empty()) && !self.discarding;
                buffer.clear();
                self.body_length = None;
                self.discarding = false;
                self.scanned = 0;
                if truncated {
                    Ok(Some(Frame::Malformed("input ended in the middle of a frame".to_string())))
                } else {
                    Ok(None)
                }
            }
        }
    }
}

impl Encoder<Vec<u8>> for LspCodec {
    type Error = std::io::Error;

    /// Frames one serialized JSON body.
    fn encode(&mut self, body: Vec<u8>, output: &mut BytesMut) -> Result<(), std::io::Error> {
        output.reserve(body.len() + 32);
        output.put_slice(b"Content-Length: ");
        output.put_slice(body.len().to_string().as_bytes());
        output.put_slice(b"\r\n\r\n");
        output.put_slice(&body);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Property tests of the decoder: valid frames survive any chunking; garbage and wrong lengths
    //! never panic and never cost a following frame whose header is intact; EOF mid-frame ends in
    //! `Malformed`, never a hang.

    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;

    /// Header styles a writer may use (vscode-jsonrpc sends the first; others add Content-Type).
    fn header(style: u8, length: usize) -> String {
        match style % 4 {
            0 => format!("Content-Length: {length}\r\n\r\n"),
            1 => format!("content-length:{length}\r\n\r\n"),
            2 => format!("Content-Length: {length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"),
            _ => format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH: {length}\r\n\r\n"),
        }
    }

    /// A JSON body with arbitrary (often multibyte) text, as a host would send.
    fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
        any::<String>().prop_map(|text| serde_json::to_vec(&serde_json::json!({ "jsonrpc": "2.0", "method": "m", "params": text })).unwrap())
    }

    /// Cuts `bytes` into chunks at the chosen positions.
    fn split(bytes: &[u8], cuts: &[Index]) -> Vec<Vec<u8>> {
        let mut positions: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        positions.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for position in positions {
            chunks.push(bytes[start..position].to_vec());
            start = position;
        }
        chunks.push(bytes[start..].to_vec());
        chunks
    }

    /// Feeds `chunks` one by one, then EOF; returns every frame. Panics if EOF does not settle.
    fn decode_all(chunks: &[Vec<u8>]) -> Vec<Frame> {
        let mut codec = LspCodec::new();
        let mut buffer = BytesMut::new();
        let mut frames = Vec::new();
        for chunk in chunks {
            buffer.extend_from_slice(chunk);
            while let Some(frame) = codec.decode(&mut buffer).unwrap() {
                frames.push(frame);
            }
        }
        for _ in 0..10_000 {
            match codec.decode_eof(&mut buffer).unwrap() {
                Some(frame) => frames.push(frame),
                None => return frames,
            }
        }
        panic!("decode_eof never returned None");
    }

    fn messages(frames: &[Frame]) -> Vec<Vec<u8>> {
        frames
            .iter()
            .filter_map(|frame| match frame {
                Frame::Message(body) => Some(body.to_vec()),
                Frame::Malformed(_) => None,
            })
            .collect()
    }

    /// One item of a stream with faults.
    #[derive(Debug, Clone)]
    enum Item {
        Valid(u8, Vec<u8>),
        /// Bytes that contain no `Content-Length` header of their own.
        Garbage(Vec<u8>),
        /// A frame whose Content-Length is smaller than its body.
        TooShort(Vec<u8>, Index),
        /// A frame whose Content-Length runs past its body (far enough to swallow the next
        /// frame's Content-Length line, which the decoder then finds).
        TooLong(Vec<u8>, usize),
        /// A frame whose Content-Length lies beyond the body limit (or overflows a number).
        Oversized(Vec<u8>, u64),
    }

    fn item_strategy() -> impl Strategy<Value = Item> {
        prop_oneof![
            4 => (any::<u8>(), body_strategy()).prop_map(|(style, body)| Item::Valid(style, body)),
            1 => prop::collection::vec(any::<u8>(), 0..200)
                .prop_filter("garbage must not carry a header", |bytes| {
                    !bytes.windows(CONTENT_LENGTH.len()).any(|w| w.eq_ignore_ascii_case(CONTENT_LENGTH))
                })
                .prop_map(Item::Garbage),
            1 => (body_strategy(), any::<Index>()).prop_map(|(body, cut)| Item::TooShort(body, cut)),
            1 => (body_strategy(), 0usize..64).prop_map(|(body, extra)| Item::TooLong(body, extra)),
            1 => (body_strategy(), any::<u64>()).prop_map(|(body, lie)| Item::Oversized(body, lie)),
        ]
    }

    /// Serializes the items; returns the bytes and the bodies that must come out.
    fn serialize(items: &[Item]) -> (Vec<u8>, Vec<Vec<u8>>) {
        // Serialize back to front, so a TooLong frame knows how far the next header reaches.
        let mut tail: Vec<u8> = Vec::new();
        let mut expected = Vec::new();
        for item in items.iter().rev() {
            let mut bytes = Vec::new();
            match item {
                Item::Valid(style, body) => {
                    bytes.extend_from_slice(header(*style, body.len()).as_bytes());
                    bytes.extend_from_slice(body);
                    expected.push(body.clone());
                }
                Item::Garbage(garbage) => bytes.extend_from_slice(garbage),
                Item::TooShort(body, cut) => {
                    bytes.extend_from_slice(header(0, cut.index(body.len())).as_bytes());
                    bytes.extend_from_slice(body);
                }
                Item::TooLong(body, extra) => {
                    // Reach past the end of the next `Content-Length: N\r\n` line in what follows.
                    let reach = content_length_positions(&tail, 0)
                        .find(|&at| header_line_at(&tail, at) == HeaderMatch::Yes)
                        .and_then(|at| tail[at..].windows(2).position(|w| w == b"\r\n").map(|end| at + end + 2))
                        .unwrap_or(1);
                    bytes.extend_from_slice(header(0, body.len() + reach + extra).as_bytes());
                    bytes.extend_from_slice(body);
                }
                Item::Oversized(body, lie) => {
                    let declared = format!("{}{}", MAX_BODY_BYTES as u64 + 1 + lie % 1_000_000_000, if lie % 3 == 0 { "000000000000" } else { "" });
                    bytes.extend_from_slice(format!("Content-Length: {declared}\r\n\r\n").as_bytes());
                    bytes.extend_from_slice(body);
                }
            }
            bytes.extend_from_slice(&tail);
            tail = bytes;
        }
        expected.reverse();
        (tail, expected)
    }

    /// True when `needles` appear in `haystack` in order (not necessarily adjacent).
    fn is_subsequence(needles: &[Vec<u8>], haystack: &[Vec<u8>]) -> bool {
        let mut rest = haystack.iter();
        needles.iter().all(|needle| rest.any(|candidate| candidate == needle))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn valid_frames_survive_any_chunking(
            frames in prop::collection::vec((any::<u8>(), body_strategy()), 0..8),
            cuts in prop::collection::vec(any::<Index>(), 0..24),
        ) {
            let mut bytes = Vec::new();
            for (style, body) in &frames {
                bytes.extend_from_slice(header(*style, body.len()).as_bytes());
                bytes.extend_from_slice(body);
            }
            let decoded = decode_all(&split(&bytes, &cuts));
            let expected: Vec<Frame> = frames.iter().map(|(_, body)| Frame::Message(Bytes::from(body.clone()))).collect();
            prop_assert_eq!(decoded, expected);
        }

        #[test]
        fn faults_never_cost_a_following_intact_frame(
            items in prop::collection::vec(item_strategy(), 0..10),
            cuts in prop::collection::vec(any::<Index>(), 0..24),
        ) {
            let (bytes, expected) = serialize(&items);
            let decoded = decode_all(&split(&bytes, &cuts));
            let bodies = messages(&decoded);
            prop_assert!(is_subsequence(&expected, &bodies), "expected {} valid frames in order, got {:?}", expected.len(), decoded);
        }

        #[test]
        fn eof_inside_a_frame_is_malformed(
            frames in prop::collection::vec((any::<u8>(), body_strategy()), 0..4),
            last in body_strategy(),
            keep in any::<Index>(),
            cuts in prop::collection::vec(any::<Index>(), 0..8),
        ) {
            let mut bytes = Vec::new();
            for (style, body) in &frames {
                bytes.extend_from_slice(header(*style, body.len()).as_bytes());
                bytes.extend_from_slice(body);
            }
            let mut truncated = header(0, last.len()).into_bytes();
            truncated.extend_from_slice(&last);
            truncated.truncate(1 + keep.index(truncated.len() - 1)); // at least 1 byte, never all
            bytes.extend_from_slice(&truncated);
            let decoded = decode_all(&split(&bytes, &cuts));
            prop_assert_eq!(decoded.len(), frames.len() + 1);
            prop_assert!(matches!(decoded.last(), Some(Frame::Malformed(_))), "{:?}", decoded.last());
        }
    }

    /// A valid request every bad prefix below must not cost.
    const NEXT: &[u8] = br#"{"jsonrpc":"2.0","id":2,"method":"x"}"#;

    /// `prefix`, then a well-framed `NEXT`.
    fn followed_by_a_frame(mut prefix: Vec<u8>) -> Vec<u8> {
        prefix.extend_from_slice(header(0, NEXT.len()).as_bytes());
        prefix.extend_from_slice(NEXT);
        prefix
    }

    #[test]
    fn garbage_glued_to_a_header_costs_only_the_garbage() {
        let decoded = decode_all(&[followed_by_a_frame(b"garbage\r\nmore".to_vec())]);
        assert!(matches!(decoded[0], Frame::Malformed(_)));
        assert_eq!(decoded[1], Frame::Message(Bytes::from_static(NEXT)));
    }

    #[test]
    fn an_oversized_length_is_refused_and_the_next_frame_still_read() {
        for lie in [MAX_BODY_BYTES + 1, usize::MAX / 2] {
            let mut prefix = format!("Content-Length: {lie}\r\n\r\n").into_bytes();
            prefix.extend_from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"big"}"#);
            let bytes = followed_by_a_frame(prefix);
            for chunking in [vec![bytes.clone()], bytes.chunks(3).map(<[u8]>::to_vec).collect()] {
                let decoded = decode_all(&chunking);
                assert!(matches!(decoded[0], Frame::Malformed(ref reason) if reason.contains("exceeds")), "{decoded:?}");
                assert_eq!(decoded[1..], [Frame::Message(Bytes::from_static(NEXT))], "{lie}");
            }
        }
    }

    #[test]
    fn a_length_that_is_not_a_number_costs_only_its_frame() {
        let decoded = decode_all(&[followed_by_a_frame(b"Content-Length: 99999999999999999999999999\r\n\r\n{\"a\":1}".to_vec())]);
        assert!(matches!(decoded[0], Frame::Malformed(_)));
        assert_eq!(decoded[1..], [Frame::Message(Bytes::from_static(NEXT))]);
    }
}
