"""Read the define() constants of OpenCart's config.php and admin/config.php without running PHP.

The installer writes one ``define('NAME', 'value');`` per line, but shops edit these files by
hand, so this is a small PHP lexer plus an evaluator for the expressions that occur in practice:
string and number literals, true/false/null, earlier constants, ``.`` concatenation and
parentheses. Anything else (getenv(), __DIR__, variables, ternaries) is kept as raw text in
``PhpDefines.unresolved`` instead of being guessed.
"""

from __future__ import annotations

import pathlib
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from oc_apidoctor.errors import ConfigError

MAX_CONFIG_BYTES = 1024 * 1024
_SECRET_WORDS = ("PASSWORD", "KEY", "SECRET", "TOKEN")


@dataclass(frozen=True)
class PhpDefines:
    """The constants of one PHP file, in file order."""

    source: str
    values: Mapping[str, str]
    unresolved: Mapping[str, str]

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def require(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        if name in self.unresolved:
            raise ConfigError(
                f"{name} in {self.source} is computed by PHP code "
                f"({_shown_expression(name, self.unresolved[name])}) "
                "and cannot be read without running PHP",
                hint=f"supply {name} another way, e.g. through an environment variable",
            )
        raise ConfigError(
            f"{self.source} does not define {name}",
            hint="check that this is the shop's config.php or admin/config.php",
        )

    def __repr__(self) -> str:
        def shown(items: Mapping[str, str]) -> dict[str, str]:
            return {k: "***" if _is_secret(k) else v for k, v in items.items()}

        return (
            f"PhpDefines(source={self.source!r}, values={shown(self.values)!r}, "
            f"unresolved={shown(self.unresolved)!r})"
        )


def _shown_expression(name: str, expression: str) -> str:
    # A secret's expression may embed the secret itself ("hunter2$x"): show only a call's name.
    if not _is_secret(name):
        return _expression_head(expression)
    call = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(", expression)
    return f"{call.group(1)}(…)" if call else "an expression"


def read_defines(path: pathlib.Path | str) -> PhpDefines:
    """Parse a config.php file; every problem with the file is a ConfigError."""
    path = pathlib.Path(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(
                f"{path} is a directory, not a config.php",
                hint="give the path of the config.php file inside it",
            )
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{path} is not a regular file", hint="give the shop's config.php")
        with path.open("rb") as fh:
            # Read one byte past the limit so a file that grows (or lies in stat) is still caught.
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        raise ConfigError(
            f"{path} does not exist",
            hint="give the path of the shop's config.php or admin/config.php",
        ) from None
    except PermissionError:
        raise ConfigError(
            f"cannot read {path}: permission denied",
            hint="run as a user that can read the shop's files, such as the web server user",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path} is larger than 1 MiB: not a config.php", hint="give the shop's config.php"
        )
    if b"\0" in data:
        raise ConfigError(
            f"{path} contains NUL bytes: a binary file, not a config.php",
            hint="give the shop's config.php",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # PHP is byte-oriented, so a latin-1 path or password is legal; latin-1 never fails.
        text = data.decode("latin-1")
    defines = parse_defines(text, source=str(path))
    if not defines.values and not defines.unresolved:
        hint = (
            "an empty config.php means the OpenCart installer has not run yet"
            if not text.strip()
            else "give the shop's config.php or admin/config.php"
        )
        raise ConfigError(f"{path} has no define() calls: not an OpenCart config.php", hint=hint)
    return defines


def parse_defines(text: str, *, source: str = "config.php") -> PhpDefines:
    """Evaluate the define() calls of PHP source text, in file order."""
    text = text.removeprefix("\ufeff")
    tokens = list(_tokenize(text, source))
    values: dict[str, str] = {}
    unresolved: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not _is_define_call(tokens, i):
            i += 1
            continue
        args, i = _call_arguments(tokens, i + 2, text, source)
        if len(args) < 2 or not all(args):
            raise ConfigError(
                f"{source} line {_line(text, tok.start)}: define() needs a name and a value"
            )
        name = _evaluate(args[0], values)
        # PHP keeps the first definition: define() of an existing constant only warns.
        if name is None or name in values or name in unresolved:
            continue
        value = _evaluate(args[1], values)
        if value is None:
            unresolved[name] = text[args[1][0].start : args[1][-1].end]
        else:
            values[name] = value
    return PhpDefines(source, MappingProxyType(values), MappingProxyType(unresolved))


class _Token(NamedTuple):
    kind: str  # str | num | id | punct | opaque
    start: int
    end: int
    value: str | None  # decoded literal, identifier or punctuation; None when not a constant


_OPEN_TAG = re.compile(r"<\?(?:php(?=[ \t\r\n]|$)|=)", re.IGNORECASE)
# PHP allows any byte >= 0x80 in names; "not ASCII" compiles far faster than a \x80-\U0010ffff range.
_IDENT = r"(?:[A-Za-z_]|[^\x00-\x7f])(?:[A-Za-z0-9_]|[^\x00-\x7f])*"
_DIGITS = r"[0-9]+(?:_[0-9]+)*"  # not \d: PHP digits are ASCII only
_LEXEME = re.compile(
    rf"""
      (?P<ws>[ \t\r\n]+)
    | (?P<comment>(?://|\#)(?:[^\n?]|\?(?!>))*)
    | (?P<num>0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB][01]+(?:_[01]+)*|0[oO][0-7]+(?:_[0-7]+)*
        |(?:{_DIGITS})?\.{_DIGITS}(?:[eE][+-]?{_DIGITS})?
        |{_DIGITS}(?:\.(?:{_DIGITS})?)?(?:[eE][+-]?{_DIGITS})?)
    | (?P<id>\\?{_IDENT}(?:\\{_IDENT})*)
    | (?P<var>\${_IDENT})
    | (?P<punct>\?->|->|::|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_HEREDOC = re.compile(rf"<<<[ \t]*([\"']?)({_IDENT})\1\r?\n")


def _tokenize(text: str, source: str) -> Iterator[_Token]:
    # Text outside <?php ... ?> is output, not code; a snippet without any open tag is all code.
    pos = 0
    if _OPEN_TAG.search(text) is not None:
        pos = _skip_inline_html(text, 0)
    while pos < len(text):
        ch = text[pos]
        if ch in "'\"`":
            end = _string_end(text, pos, source)
            yield _Token("str", pos, end, _decode_string(text, pos, end, source))
            pos = end
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            # PHP only warns about an unterminated comment and ignores the rest of the file.
            pos = len(text) if close < 0 else close + 2
        elif text.startswith("?>", pos):
            yield _Token("punct", pos, pos + 2, ";")  # a close tag also ends the statement
            pos = _skip_inline_html(text, pos + 2)
        elif (heredoc := _HEREDOC.match(text, pos)) is not None:
            closing = re.compile(rf"^[ \t]*{re.escape(heredoc[2])}\b", re.MULTILINE)
            end_match = closing.search(text, heredoc.end())
            if end_match is None:
                raise ConfigError(
                    f"{source} line {_line(text, pos)}: heredoc <<<{heredoc[2]} is never closed"
                )
            yield _Token("opaque", pos, end_match.end(), None)
            pos = end_match.end()
        else:
            m = _LEXEME.match(text, pos)
            assert m is not None  # the punct branch matches any character
            kind = m.lastgroup or "punct"
            if kind == "num":
                yield _Token("num", pos, m.end(), _php_number(m[0]))
            elif kind in ("id", "punct"):
                yield _Token(kind, pos, m.end(), m[0])
            elif kind == "var":
                yield _Token("opaque", pos, m.end(), None)
            pos = m.end()


def _skip_inline_html(text: str, pos: int) -> int:
    m = _OPEN_TAG.search(text, pos)
    return len(text) if m is None else m.end()


_QUOTE_OR_ESCAPE = {q: re.compile(rf"[\\{q}]") for q in "'\"`"}


def _string_end(text: str, pos: int, source: str) -> int:
    quote = text[pos]
    finder = _QUOTE_OR_ESCAPE[quote]
    i = pos + 1
    while (m := finder.search(text, i)) is not None:
        if m[0] == quote:
            return m.end()
        i = m.end() + 1  # skip the escaped character
    raise ConfigError(
        f"{source} line {_line(text, pos)}: string literal starting with {quote} is never closed",
        hint="the file is garbled or cut short; compare it with a backup",
    )


_SINGLE_ESCAPE = re.compile(r"\\([\\'])")
_DOUBLE_ESCAPE = re.compile(
    r"\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u\{[^}\"]*\}?|.)|\$(?=[A-Za-z_{]|[^\x00-\x7f])",
    re.DOTALL,
)
_SIMPLE_ESCAPES = {
    "n": b"\n", "t": b"\t", "r": b"\r", "v": b"\v", "e": b"\x1b", "f": b"\f",
    "\\": b"\\", "$": b"$", '"': b'"',
}  # fmt: skip


def _decode_string(text: str, start: int, end: int, source: str) -> str | None:
    quote, body = text[start], text[start + 1 : end - 1]
    if quote == "'":
        return _SINGLE_ESCAPE.sub(r"\1", body)
    if quote == "`":
        return None  # shell execution
    # PHP strings are bytes: "\xc3\xa9" is é in a UTF-8 file, so build bytes and decode at the end.
    out = bytearray()
    last = 0
    for m in _DOUBLE_ESCAPE.finditer(body):
        out += body[last : m.start()].encode("utf-8", "surrogatepass")
        last = m.end()
        esc = m[0]
        if esc == "$":
            return None  # "$var" interpolation: the value depends on runtime state
        code = esc[1:]
        if code in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[code]
        elif code[0] in "01234567":
            out.append(int(code, 8) & 0xFF)  # PHP wraps "\400" to "\0" with a warning
        elif code[0] == "x" and len(code) > 1:
            out.append(int(code[1:], 16))
        elif code.startswith("u{"):
            digits = code[2:-1] if code.endswith("}") else ""
            if not re.fullmatch(r"[0-9A-Fa-f]{1,6}", digits) or int(digits, 16) > 0x10FFFF:
                raise ConfigError(
                    f"{source} line {_line(text, start)}: invalid \\u{{...}} escape in a string"
                )
            out += chr(int(digits, 16)).encode("utf-8", "surrogatepass")
        else:
            out += esc.encode("utf-8", "surrogatepass")  # unknown escapes stay as written
    out += body[last:].encode("utf-8", "surrogatepass")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return out.decode("latin-1")


def _php_number(literal: str) -> str | None:
    """The string PHP makes of a number literal, or None for one PHP rejects (e.g. 089)."""
    digits = literal.replace("_", "")
    lower = digits.lower()
    try:
        if lower.startswith(("0x", "0b", "0o")):
            number: int | float = int(digits[2:], {"x": 16, "b": 2, "o": 8}[lower[1]])
        elif "." in lower or "e" in lower:
            number = float(digits)
        elif len(digits) > 1 and digits.startswith("0"):
            number = int(digits, 8)  # a leading 0 means octal: 03306 is port 1734 to PHP
        else:
            # Past 19 digits PHP has a float anyway, and int() refuses very long digit strings.
            number = int(digits) if len(digits) <= 19 else float(digits)
        if isinstance(number, int) and number <= 2**63 - 1:
            return str(number)
        return _php_float(float(number))
    except ValueError:
        return None
    except OverflowError:
        return "INF"


def _php_float(number: float) -> str:
    # PHP's float-to-string uses precision=14 and writes exponents as 1.0E+20.
    if number != number:
        return "NAN"
    if number in (float("inf"), float("-inf")):
        return "INF" if number > 0 else "-INF"
    shown = f"{number:.14G}"
    if "E" not in shown:
        return shown
    mantissa, exponent = shown.split("E")
    if "." not in mantissa:
        mantissa += ".0"
    exp = int(exponent)
    return f"{mantissa}E{'+' if exp >= 0 else '-'}{abs(exp)}"


def _is_define_call(tokens: list[_Token], i: int) -> bool:
    tok = tokens[i]
    if tok.kind != "id" or (tok.value or "").lower() not in ("define", "\\define"):
        return False
    if i + 1 >= len(tokens) or tokens[i + 1].value != "(":
        return False
    # $obj->define(...), Foo::define(...), "function define(" and "new define(" are not PHP's.
    prev = tokens[i - 1].value if i > 0 else None
    return prev not in ("->", "?->", "::") and (prev or "").lower() not in ("function", "new")


def _call_arguments(
    tokens: list[_Token], i: int, text: str, source: str
) -> tuple[list[list[_Token]], int]:
    """Split the arguments of a call whose '(' is just before tokens[i]; return them and the
    index after the closing ')'."""
    opened_at = tokens[i - 1].start
    args: list[list[_Token]] = [[]]
    depth = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.kind == "punct" and depth == 0 and tok.value in (")", ",", ";", "]", "}"):
            if tok.value == ")":
                if not args[-1] and len(args) > 1:
                    args.pop()  # PHP 7.3+ allows a trailing comma
                return args, i
            if tok.value == ",":
                args.append([])
                continue
            break
        if tok.kind == "punct" and tok.value in ("(", "[", "{"):
            depth += 1
        elif tok.kind == "punct" and tok.value in (")", "]", "}"):
            depth -= 1
        args[-1].append(tok)
    raise ConfigError(
        f"{source} line {_line(text, opened_at)}: define( call is not closed properly",
        hint="the file is garbled or cut short; compare it with a backup",
    )


def _evaluate(expr: list[_Token], constants: Mapping[str, str]) -> str | None:
    """Value of ``term ('.' term)*`` with parentheses, or None for anything else.

    Parentheses cannot change the result of a pure concatenation, so a small state machine
    validates them instead of recursing (deep nesting in a garbled file must not blow the stack).
    """
    parts: list[str] = []
    depth = 0
    want_term = True
    sign = ""
    for tok in expr:
        if want_term:
            if tok.kind == "punct" and tok.value == "(" and not sign:
                depth += 1
                continue
            if tok.kind == "punct" and tok.value in ("-", "+") and not sign:
                sign = tok.value
                continue
            term = _term(tok, constants)
            if term is None or (sign and tok.kind != "num"):
                return None
            if sign == "-":
                term = term[1:] if term.startswith("-") else f"-{term}"
                term = "0" if term == "-0" else term
            parts.append(term)
            sign, want_term = "", False
        elif tok.kind == "punct" and tok.value == ".":
            want_term = True
        elif tok.kind == "punct" and tok.value == ")" and depth > 0:
            depth -= 1
        else:
            return None
    return "".join(parts) if not want_term and depth == 0 else None


def _term(tok: _Token, constants: Mapping[str, str]) -> str | None:
    if tok.kind in ("str", "num"):
        return tok.value
    if tok.kind != "id" or tok.value is None:
        return None
    name = tok.value.removeprefix("\\")
    # true/false/null are case-insensitive in PHP; user constants are case-sensitive (PHP 8).
    literal = {"true": "1", "false": "", "null": ""}.get(name.lower())
    return literal if literal is not None else constants.get(name)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _is_secret(name: str) -> bool:
    upper = name.upper()
    return any(word in upper for word in _SECRET_WORDS)


def _expression_head(expr: str, limit: int = 60) -> str:
    flat = " ".join(expr.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
