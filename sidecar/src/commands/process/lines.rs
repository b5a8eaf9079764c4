//! Splits a byte stream into lines as it arrives: every read yields the complete lines it holds
//! (coalesced into one batch, the unit of a channel `Output` message), and a partial last line
//! waits for the next read. Bytes are decoded only per complete line, so a multibyte character cut
//! by a read boundary is never mangled.

/// A line longer than this is sent in pieces rather than held forever (progress bars that only
/// print `\r`).
const MAX_PARTIAL: usize = 1024 * 1024;

#[derive(Default)]
pub struct LineSplitter {
    partial: Vec<u8>,
}

impl LineSplitter {
    /// Feeds one read; returns the lines it completed (without `\n` or `\r\n`).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let Some(last_newline) = chunk.iter().rposition(|&b| b == b'\n') else {
            self.partial.extend_from_slice(chunk);
            if self.partial.len() > MAX_PARTIAL {
                return self.finish().into_iter().collect();
            }
            return Vec::new();
        };
        let (complete, rest) = (&chunk[..last_newline], &chunk[last_newline + 1..]);
        let mut lines = Vec::with_capacity(complete.len() / 16 + 1);
        let mut pieces = complete.split(|&b| b == b'\n');
        if let Some(first) = pieces.next() {
            if self.partial.is_empty() {
                lines.push(decode(first));
            } else {
                self.partial.extend_from_slice(first);
                lines.push(decode(&self.partial));
                self.partial.clear();
            }
        }
        lines.extend(pieces.map(decode));
        self.partial.extend_from_slice(rest);
        lines
    }

    /// The last line when the stream ended without a newline.
    pub fn finish(&mut self) -> Option<String> {
        if self.partial.is_empty() {
            return None;
        }
        let line = decode(&self.partial);
        self.partial.clear();
        Some(line)
    }
}

fn decode(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match std::str::from_utf8(line) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(line).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_across_reads() {
        let mut splitter = LineSplitter::default();
        assert_eq!(splitter.push(b"a\nb"), vec!["a"]);
        assert_eq!(splitter.push(b"c\r\nd\n\ne"), vec!["bc", "d", ""]);
        assert_eq!(splitter.push(b""), Vec::<String>::new());
        assert_eq!(splitter.finish(), Some("e".to_string()));
        assert_eq!(splitter.finish(), None);
    }

    #[test]
    fn multibyte_characters_split_by_reads() {
        let text = "héllo ✓ wörld\n".as_bytes();
        for cut in 0..text.len() {
            let mut splitter = LineSplitter::default();
            let mut lines = splitter.push(&text[..cut]);
            lines.extend(splitter.push(&text[cut..]));
            assert_eq!(lines, vec!["héllo ✓ wörld"], "cut at {cut}");
        }
    }
}
