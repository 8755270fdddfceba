//! The few token kinds the field-path scanner in [`super`] needs, read from
//! RON text: identifiers, colons, brackets and commas, with line and column.
//! Whitespace, comments, strings, characters and the insides of numbers are skipped.

/// The kinds of bracket that open a nested value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bracket {
    Paren,
    Square,
    Brace,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    Ident(String),
    Colon,
    DoubleColon,
    Open(Bracket),
    Close,
    Comma,
    Other(char),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub kind: TokenKind,
    pub line: usize,
    pub column: usize,
}

/// A character cursor that tracks 1-based line and character column.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    column: usize,
}

impl Cursor {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek(0) {
            self.pos += 1;
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
    }

    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    /// Skips a quoted literal whose opening quote is under the cursor,
    /// honouring backslash escapes.
    fn skip_quoted(&mut self, quote: char) {
        self.bump();
        while let Some(c) = self.peek(0) {
            if c == '\\' {
                self.bump_n(2);
            } else if c == quote {
                self.bump();
                return;
            } else {
                self.bump();
            }
        }
    }

    /// If a raw string `r#*"..."#*` starts `offset` characters ahead (at the
    /// `r`), skips everything up to that point and the raw string itself.
    fn try_skip_raw_string(&mut self, offset: usize) -> bool {
        if self.peek(offset) != Some('r') {
            return false;
        }
        let mut hashes = 0;
        while self.peek(offset + 1 + hashes) == Some('#') {
            hashes += 1;
        }
        if self.peek(offset + 1 + hashes) != Some('"') {
            return false;
        }
        self.bump_n(offset + 2 + hashes);
        while self.peek(0).is_some() {
            if self.peek(0) == Some('"') && (1..=hashes).all(|k| self.peek(k) == Some('#')) {
                self.bump_n(1 + hashes);
                return true;
            }
            self.bump();
        }
        true
    }

    /// Skips a block comment under the cursor; nested comments are honoured
    /// as RON does.
    fn skip_block_comment(&mut self) {
        self.bump_n(2);
        let mut depth = 1usize;
        while let Some(c) = self.peek(0) {
            if c == '/' && self.peek(1) == Some('*') {
                depth += 1;
                self.bump_n(2);
            } else if c == '*' && self.peek(1) == Some('/') {
                depth -= 1;
                self.bump_n(2);
                if depth == 0 {
                    return;
                }
            } else {
                self.bump();
            }
        }
    }

    fn read_ident(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek(0) {
            if c.is_alphanumeric() || c == '_' {
                name.push(c);
                self.bump();
            } else {
                break;
            }
        }
        name
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Turns source text into the few token kinds the path walker needs,
/// dropping whitespace, comments, strings, characters and numbers' insides.
pub(super) fn tokenize(source: &str) -> Vec<Token> {
    let mut cursor = Cursor {
        chars: source.chars().collect(),
        pos: 0,
        line: 1,
        column: 1,
    };
    let mut tokens = Vec::new();
    while let Some(c) = cursor.peek(0) {
        let (line, column) = (cursor.line, cursor.column);
        let mut push = |kind| tokens.push(Token { kind, line, column });
        match c {
            _ if c.is_whitespace() => cursor.bump(),
            '/' if cursor.peek(1) == Some('/') => {
                while cursor.peek(0).is_some_and(|c| c != '\n') {
                    cursor.bump();
                }
            }
            '/' if cursor.peek(1) == Some('*') => cursor.skip_block_comment(),
            // A string is one token, so a list element that is a string (a target,
            // an empirical sample) can be located.
            '"' | '\'' => {
                push(TokenKind::Other('"'));
                cursor.skip_quoted(c);
            }
            'b' if matches!(cursor.peek(1), Some('"' | '\'')) => {
                cursor.bump();
                cursor.skip_quoted(cursor.peek(0).unwrap_or('"'));
            }
            'b' if cursor.try_skip_raw_string(1) => {}
            'r' if cursor.try_skip_raw_string(0) => {}
            'r' if cursor.peek(1) == Some('#') && cursor.peek(2).is_some_and(is_ident_start) => {
                // A raw identifier `r#name` names the field `name`.
                cursor.bump_n(2);
                push(TokenKind::Ident(cursor.read_ident()));
            }
            _ if is_ident_start(c) => push(TokenKind::Ident(cursor.read_ident())),
            _ if c.is_ascii_digit() => {
                while cursor
                    .peek(0)
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                {
                    cursor.bump();
                }
                push(TokenKind::Other('0'));
            }
            ':' if cursor.peek(1) == Some(':') => {
                cursor.bump_n(2);
                push(TokenKind::DoubleColon);
            }
            ':' => {
                cursor.bump();
                push(TokenKind::Colon);
            }
            '(' | '[' | '{' => {
                cursor.bump();
                push(TokenKind::Open(match c {
                    '(' => Bracket::Paren,
                    '[' => Bracket::Square,
                    _ => Bracket::Brace,
                }));
            }
            ')' | ']' | '}' => {
                cursor.bump();
                push(TokenKind::Close);
            }
            ',' => {
                cursor.bump();
                push(TokenKind::Comma);
            }
            _ => {
                cursor.bump();
                push(TokenKind::Other(c));
            }
        }
    }
    tokens
}
