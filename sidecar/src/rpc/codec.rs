//! LSP base-protocol framing: `Content-Length: N\r\n` (plus optional other headers), a blank line,
//! then N bytes of UTF-8 JSON. This is what `vscode-jsonrpc`'s stream reader and writer speak.
//!
//! The decoder never fails the stream on bad input: a header block it cannot read becomes
//! `Frame::Malformed` (the server answers it with a parse error) and decoding resumes after it, so
//! one garbage frame cannot take the sidecar down. Only I/O errors end the stream.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// Longest header block accepted before the input is treated as garbage.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Largest body accepted; a bigger `Content-Length` is refused (and its bytes skipped).
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

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
    /// Bytes of an oversized body still to be skipped.
    skip_remaining: usize,
}

impl LspCodec {
    pub fn new() -> Self {
        Self::default()
    }
}

fn find_header_end(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|window| window == b"\r\n\r\n")
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
            if self.skip_remaining > 0 {
                let skipped = self.skip_remaining.min(buffer.len());
                buffer.advance(skipped);
                self.skip_remaining -= skipped;
                if self.skip_remaining > 0 {
                    return Ok(None);
                }
            }
            if let Some(length) = self.body_length {
                if buffer.len() < length {
                    buffer.reserve(length - buffer.len());
                    return Ok(None);
                }
                self.body_length = None;
                return Ok(Some(Frame::Message(buffer.split_to(length).freeze())));
            }
            // Blank lines between frames are tolerated (some writers add a trailing newline).
            while buffer.starts_with(b"\r\n") {
                buffer.advance(2);
            }
            let Some(header_end) = find_header_end(buffer) else {
                if buffer.len() > MAX_HEADER_BYTES {
                    let dropped = buffer.len();
                    buffer.clear();
                    return Ok(Some(Frame::Malformed(format!(
                        "{dropped} bytes without a frame header end (\\r\\n\\r\\n); discarded"
                    ))));
                }
                return Ok(None);
            };
            let header_block = buffer.split_to(header_end + 4);
            match parse_headers(&header_block[..header_end]) {
                Ok(length) if length > MAX_BODY_BYTES => {
                    self.skip_remaining = length;
                    return Ok(Some(Frame::Malformed(format!(
                        "frame body of {length} bytes exceeds the {MAX_BODY_BYTES}-byte limit; skipped"
                    ))));
                }
                Ok(length) => {
                    self.body_length = Some(length);
                    continue;
                }
                Err(reason) => return Ok(Some(Frame::Malformed(reason))),
            }
        }
    }

    fn decode_eof(&mut self, buffer: &mut BytesMut) -> Result<Option<Frame>, std::io::Error> {
        match self.decode(buffer)? {
            Some(frame) => Ok(Some(frame)),
            None => {
                let truncated = self.body_length.is_some() || !buffer.is_empty();
                buffer.clear();
                self.body_length = None;
                self.skip_remaining = 0;
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
