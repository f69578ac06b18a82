//! Reads one string member of the configuration object the host hands
//! over (compact JSON, already checked against the declared options). A
//! small but complete reader: escapes are decoded and the other members,
//! whatever their type, are skipped.

pub fn string_member(json: &[u8], key: &str) -> Option<String> {
    let mut r = Reader { s: json, i: 0 };
    r.space();
    r.eat(b'{')?;
    loop {
        r.space();
        if r.peek()? == b'}' {
            return None;
        }
        let name = r.string()?;
        r.space();
        r.eat(b':')?;
        r.space();
        if name == key && r.peek()? == b'"' {
            return r.string();
        }
        r.skip_value()?;
        r.space();
        match r.next()? {
            b',' => continue,
            _ => return None,
        }
    }
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }
    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + (self.next()? as char).to_digit(16)?;
        }
        Some(v)
    }
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            match self.next()? {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                c => out.push(c),
            }
        }
    }
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let close = if self.next()? == b'{' { b'}' } else { b']' };
                loop {
                    self.space();
                    if self.peek()? == close {
                        self.i += 1;
                        return Some(());
                    }
                    if close == b'}' {
                        self.string()?;
                        self.space();
                        self.eat(b':')?;
                        self.space();
                    }
                    self.skip_value()?;
                    self.space();
                    if self.peek()? == b',' {
                        self.i += 1;
                    }
                }
            }
            _ => {
                while matches!(self.peek(), Some(c) if !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')) {
                    self.i += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::string_member;

    #[test]
    fn finds_an_escaped_value_after_other_members() {
        let json = br#"{"n":[1,{"a":"}"}],"path":"q\"uote\u00e9.tsv","x":true}"#;
        assert_eq!(string_member(json, "path").as_deref(), Some("q\"uote\u{e9}.tsv"));
        assert_eq!(string_member(json, "missing"), None);
    }
}
