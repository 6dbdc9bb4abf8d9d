"""Recursive-descent parser for untold's search language (grammar in ``untold.query``).

Stages:
  1. lex: the query text becomes tokens, each with its 1-based column;
     malformed words (unclosed quote, ``NEAR/x``, unknown field, misplaced ``*``)
     fail here, pointing at the offending character;
  2. parse: tokens become a typed tree (``untold.query.nodes``) by the grammar
     ``or := and ("OR" and)*; and := unary (["AND"] unary)*;
     unary := ("NOT" | "-") unary | "+" unary | near;
     near := primary ["NEAR/n" primary]; primary := "(" or ")" | field | word | phrase``;
     a NEAR side must be a word, prefix, phrase or an OR-group of them;
     structural mistakes (dangling operator, unbalanced parentheses) fail here.

Every failure is a ``QueryError`` with the column and a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from untold.errors import QueryError
from untold.query.nodes import (
    FILTER_FIELDS,
    TEXT_FIELDS,
    And,
    Field,
    Filter,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
)
from untold.text.textindex import tokenize

__all__ = ["MAX_DEPTH", "MAX_NEAR_DISTANCE", "MAX_NEAR_PAIRS", "MAX_QUERY_CHARS",
           "MIN_PREFIX_CHARS", "parse"]

MAX_QUERY_CHARS = 5000  # far beyond a hand-written query; bounds parse and SQL size
MAX_DEPTH = 50  # nesting of () and NOT; deeper is a mistake and would exhaust the stack
MAX_NEAR_DISTANCE = 100  # beyond a paragraph, "near" stops meaning related
MIN_PREFIX_CHARS = 2  # a one-letter prefix matches most of the vocabulary
# (a OR b ...) NEAR/n (c OR d ...) becomes one NEAR per pair of alternatives: beyond
# this many pairs the full-text expression grows past what a hand-written query means
MAX_NEAR_PAIRS = 64

_SPECIAL = '()"'  # characters that end a bare word
_UNSUPPORTED = {
    "~": "Lucene's ~ (fuzzy/proximity) is not supported; use NEAR/n for proximity",
    "^": "boosts (^) are not supported; remove it",
    "[": "ranges are not supported; use the --since/--until options for dates",
    "]": "ranges are not supported; use the --since/--until options for dates",
    "{": "ranges are not supported; use the --since/--until options for dates",
    "}": "ranges are not supported; use the --since/--until options for dates",
}
_OPERATORS = {"AND", "OR", "NOT"}
_LANG = re.compile(r"^[a-z]{2,3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_FIELDS_HINT = "fields are " + ", ".join(f"{f}:" for f in TEXT_FIELDS + FILTER_FIELDS)


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PREFIX PHRASE VALUE FIELD NEAR AND OR NOT MINUS PLUS LPAREN RPAREN EOF
    text: str
    column: int  # 1-based
    distance: int = 0  # NEAR only


class _Lexer:
    def __init__(self, query: str) -> None:
        self.q = query
        self.i = 0
        self.toks: list[_Tok] = []

    def fail(self, message: str, index: int, hint: str | None = None) -> QueryError:
        return QueryError(message, query=self.q, column=index + 1, hint=hint)

    def run(self) -> list[_Tok]:
        q = self.q
        while self.i < len(q):
            c = q[self.i]
            if c.isspace():
                self.i += 1
            elif c == "(":
                self.toks.append(_Tok("LPAREN", c, self.i + 1))
                self.i += 1
            elif c == ")":
                self.toks.append(_Tok("RPAREN", c, self.i + 1))
                self.i += 1
            elif c == '"':
                self.phrase("PHRASE")
            elif c in "-+":
                nxt = q[self.i + 1] if self.i + 1 < len(q) else " "
                if nxt.isspace() or nxt == ")":
                    raise self.fail(f"'{c}' stands alone", self.i,
                                    f"write {c}word with no space to "
                                    f"{'exclude' if c == '-' else 'require'} a word")
                self.toks.append(_Tok("MINUS" if c == "-" else "PLUS", c, self.i + 1))
                self.i += 1
            else:
                self.word()
        self.toks.append(_Tok("EOF", "", len(q) + 1))
        return self.toks

    def phrase(self, kind: str) -> None:
        start = self.i
        end = self.q.find('"', start + 1)
        if end < 0:
            raise self.fail("unclosed quote", start,
                            'close the phrase with a second " (quotes cannot be escaped)')
        text = self.q[start + 1:end]
        if kind == "PHRASE" and not tokenize(text):
            raise self.fail("the phrase has no words", start, "remove the empty quotes")
        self.toks.append(_Tok(kind, text, start + 1))
        self.i = end + 1

    def word(self) -> None:
        q, start = self.q, self.i
        end = start
        while end < len(q) and not q[end].isspace() and q[end] not in _SPECIAL:
            if q[end] in _UNSUPPORTED:
                raise self.fail(f"unsupported syntax '{q[end]}'", end, _UNSUPPORTED[q[end]])
            end += 1
        text = q[start:end]
        colon = text.find(":")
        if colon >= 0:
            self.field(text[:colon], start, start + colon + 1)
            return
        self.i = end
        if text in _OPERATORS:
            self.toks.append(_Tok(text, text, start + 1))
        elif text == "NEAR" or text.startswith("NEAR/"):
            self.toks.append(self.near(text, start))
        elif "*" in text:
            star = text.index("*")
            if star != len(text) - 1:
                raise self.fail("'*' is allowed only at the end of a word", start + star,
                                "write a prefix as казн* (no inner or leading wildcards)")
            body = text[:-1]
            if len("".join(tokenize(body))) < MIN_PREFIX_CHARS:
                raise self.fail(f"a prefix needs at least {MIN_PREFIX_CHARS} letters", start,
                                "lengthen it, e.g. казн*")
            self.toks.append(_Tok("PREFIX", body, start + 1))
        else:
            if not tokenize(text):
                raise self.fail(f"'{text}' has no letters or digits to search for", start,
                                "remove it; write logic as AND, OR, NOT or -word")
            self.toks.append(_Tok("WORD", text, start + 1))

    def near(self, text: str, start: int) -> _Tok:
        digits = text[5:]
        if not digits.isascii() or not digits.isdigit():
            at = start + min(len(text), 5)
            raise self.fail("NEAR needs a distance in words", at,
                            "write NEAR/5 (a whole number of words between the terms)")
        distance = int(digits)
        if distance > MAX_NEAR_DISTANCE:
            raise self.fail(f"NEAR distance above {MAX_NEAR_DISTANCE}", start + 5,
                            "use a smaller distance, or AND for anywhere in the article")
        return _Tok("NEAR", text, start + 1, distance)

    def field(self, name: str, start: int, after: int) -> None:
        key = name.lower()
        if key not in TEXT_FIELDS + FILTER_FIELDS:
            raise self.fail(f"unknown field '{name}:'", start,
                            f"{_FIELDS_HINT}; to search text with a colon, quote it")
        q = self.q
        if after >= len(q) or q[after].isspace() or q[after] == ")":
            raise self.fail(f"{key}: needs a value right after the colon", after,
                            f"e.g. {key}:{_example(key)}")
        self.toks.append(_Tok("FIELD", key, start + 1))
        self.i = after
        if key in FILTER_FIELDS:
            if q[after] == '"':
                self.phrase("VALUE")
                return
            end = after
            while end < len(q) and not q[end].isspace() and q[end] not in _SPECIAL:
                end += 1
            if end == after:
                raise self.fail(f"{key}: needs a value right after the colon", after,
                                f"e.g. {key}:{_example(key)}")
            self.toks.append(_Tok("VALUE", q[after:end], after + 1))
            self.i = end


def _example(key: str) -> str:
    return {"title": '"граждане Казахстана"', "body": "казн*", "lang": "ru",
            "outlet": "tengrinews", "country": "KZ", "group": "state"}[key]


_STARTS_OPERAND = {"WORD", "PREFIX", "PHRASE", "FIELD", "LPAREN", "NOT", "MINUS", "PLUS"}


class _Parser:
    def __init__(self, query: str, toks: list[_Tok]) -> None:
        self.q = query
        self.toks = toks
        self.pos = 0
        self.depth = 0

    def fail(self, message: str, column: int, hint: str | None = None) -> QueryError:
        return QueryError(message, query=self.q, column=column, hint=hint)

    def peek(self) -> _Tok:
        return self.toks[self.pos]

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        if tok.kind != "EOF":
            self.pos += 1
        return tok

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise self.fail("empty query", 1, "type a word, a \"phrase\" or a filter like lang:ru")
        node = self.or_expr()
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise self.fail("unmatched ')'", tok.column, "remove it or add the '(' it closes")
        if tok.kind != "EOF":  # pragma: no cover - every other token starts an operand
            raise self.fail(f"unexpected '{tok.text}'", tok.column)
        return node

    def operand_follows(self, op: _Tok) -> None:
        """After a binary/unary operator: fail unless an operand starts here."""
        tok = self.peek()
        if tok.kind in _STARTS_OPERAND:
            return
        if tok.kind in ("EOF", "RPAREN"):
            raise self.fail(f"{op.text} has nothing after it", op.column,
                            f"put a word after {op.text} or remove it")
        raise self.fail(f"{tok.text} cannot follow {op.text}", tok.column,
                        "remove one of the two operators")

    def or_expr(self) -> Node:
        first = self.peek()
        children = [self.and_expr()]
        while self.peek().kind == "OR":
            op = self.take()
            self.operand_follows(op)
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children), first.column)

    def and_expr(self) -> Node:
        first = self.peek()
        children = [self.unary()]
        while True:
            tok = self.peek()
            if tok.kind == "AND":
                self.take()
                self.operand_follows(tok)
            elif tok.kind not in _STARTS_OPERAND:
                break
            children.append(self.unary())  # explicit or implicit AND
        return children[0] if len(children) == 1 else And(tuple(children), first.column)

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind in ("NOT", "MINUS", "PLUS"):
            self.take()
            self.operand_follows(tok)
            self.enter(tok)
            child = self.unary()
            self.depth -= 1
            return child if tok.kind == "PLUS" else Not(child, tok.column)
        return self.near()

    def enter(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} deep", tok.column,
                            "simplify the query")

    def near(self) -> Node:
        left = self.primary()
        if self.peek().kind != "NEAR":
            return left
        op = self.take()
        left_side = self.near_side(left)
        self.operand_follows(op)
        right_side = self.near_side(self.primary())
        if self.peek().kind == "NEAR":
            raise self.fail("NEAR joins exactly two words or phrases", self.peek().column,
                            "combine pairs with AND: (a NEAR/5 b) AND (b NEAR/5 c)")
        pairs = len(_alternatives(left_side)) * len(_alternatives(right_side))
        if pairs > MAX_NEAR_PAIRS:
            raise self.fail(f"NEAR with {pairs} pairs of alternatives (at most "
                            f"{MAX_NEAR_PAIRS})", op.column,
                            "use fewer alternatives in the groups, or a shared prefix*")
        return Near(left_side, right_side, op.distance, left_side.column)

    def near_side(self, node: Node) -> Term | Prefix | Phrase | Or:
        """``node`` as one side of NEAR: a word, prefix, phrase, or an OR-group of them."""
        bad = _near_problem(node)
        if bad is None and isinstance(node, Term | Prefix | Phrase | Or):
            return node
        culprit, message, hint = bad or (node, "NEAR cannot take this", _NEAR_TAKES)
        raise self.fail(message, getattr(culprit, "column", 0) or 1, hint)

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "WORD":
            return Term(tok.text, tok.column)
        if tok.kind == "PREFIX":
            return Prefix(tok.text, tok.column)
        if tok.kind == "PHRASE":
            return Phrase(tok.text, tok.column)
        if tok.kind == "LPAREN":
            return self.group(tok)
        if tok.kind == "FIELD":
            return self.field(tok)
        if tok.kind in ("AND", "OR", "NEAR"):
            raise self.fail(f"{tok.text} needs a word before it", tok.column,
                            f"put a word before {tok.text} or remove it")
        if tok.kind == "RPAREN":
            raise self.fail("unmatched ')'", tok.column, "remove it or add the '(' it closes")
        raise self.fail("the query ends too early", tok.column)  # pragma: no cover

    def group(self, lparen: _Tok) -> Node:
        if self.peek().kind == "RPAREN":
            raise self.fail("empty parentheses", lparen.column, "put a word inside or remove them")
        if self.peek().kind == "EOF":
            raise self.fail("unclosed '('", lparen.column, "add the ')' that closes it")
        self.enter(lparen)
        inner = self.or_expr()
        self.depth -= 1
        close = self.take()
        if close.kind != "RPAREN":
            raise self.fail("unclosed '('", lparen.column, "add the ')' that closes it")
        return inner

    def field(self, tok: _Tok) -> Node:
        if tok.text in FILTER_FIELDS:
            value = self.take()  # the lexer always emits a VALUE after a filter field
            return Filter(tok.text, self.filter_value(tok.text, value), tok.column)
        nxt = self.peek()
        if nxt.kind not in ("WORD", "PREFIX", "PHRASE", "LPAREN"):
            raise self.fail(f"{tok.text}: applies to a word, prefix*, \"phrase\" or (group)",
                            nxt.column, f"e.g. {tok.text}:{_example(tok.text)}")
        child = self.primary()
        bad = _first_non_text(child)
        if bad is not None:
            raise self.fail(f"{tok.text}:(...) may hold only words and phrases", bad.column,
                            "put filters such as lang:ru outside the parentheses")
        return Field(tok.text, child, tok.column)

    def filter_value(self, key: str, tok: _Tok) -> str:
        value = tok.text.strip()
        if not value:
            raise self.fail(f"{key}: needs a value", tok.column, f"e.g. {key}:{_example(key)}")
        if key == "lang":
            value = value.lower()
            if not _LANG.match(value):
                raise self.fail(f"'{tok.text}' is not a language code", tok.column,
                                "use an ISO 639-1 code such as ru, kk, ky, en (or und)")
        elif key == "country":
            value = value.upper()
            if not _COUNTRY.match(value):
                raise self.fail(f"'{tok.text}' is not a country code", tok.column,
                                "use an ISO 3166-1 alpha-2 code such as KZ, KG, RU")
        return value


_NEAR_TAKES = "NEAR takes a word, prefix* or \"phrase\" on each side, or an OR-group of them"


def _near_problem(node: Node) -> tuple[Node, str, str] | None:
    """What keeps ``node`` from being one side of NEAR: (the node, message, fix), or None.

    A side may be an OR of alternatives (``(казахстан* OR рк)``): FTS5's NEAR takes
    phrases only, so the compiler expands it into one NEAR per pair. AND, NOT,
    filters, fields and a nested NEAR have no such expansion that keeps their
    meaning, and are refused with the rewrite that says what was meant.
    """
    if isinstance(node, Term | Prefix | Phrase):
        return None
    if isinstance(node, Or):
        for child in node.children:
            found = _near_problem(child)
            if found is not None:
                return found
        return None
    if isinstance(node, And):
        negated = next((c for c in node.children if isinstance(c, Not)), None)
        if negated is not None:  # (b -c): the exclusion is what NEAR cannot hold
            return _near_problem(negated)
        return (node, "NEAR cannot take an AND group",
                f"{_NEAR_TAKES}; for several words near one, write "
                "(a NEAR/5 c) AND (b NEAR/5 c), or a phrase \"a b\" NEAR/5 c")
    if isinstance(node, Not):
        return (node, "NEAR cannot take NOT or -word",
                f"{_NEAR_TAKES}; exclude outside it: (a NEAR/5 b) -c")
    if isinstance(node, Filter):
        return (node, f"NEAR cannot take the filter {node.name}:",
                f"{_NEAR_TAKES}; put the filter outside: (a NEAR/5 b) {node.name}:"
                f"{_example(node.name)}")
    if isinstance(node, Field):
        return (node, f"NEAR cannot take {node.name}: on one side",
                f"put the field around the whole NEAR: {node.name}:(a NEAR/5 b)")
    if isinstance(node, Near):
        return (node, "NEAR cannot be nested in NEAR",
                "combine pairs with AND: (a NEAR/5 b) AND (b NEAR/5 c)")
    return (node, "NEAR cannot take this", _NEAR_TAKES)  # pragma: no cover - all kinds above


def _alternatives(node: Node) -> list[Node]:
    """The words, prefixes and phrases one NEAR side may match (itself, or its OR's)."""
    if isinstance(node, Or):
        return [leaf for child in node.children for leaf in _alternatives(child)]
    return [node]


def _first_non_text(node: Node) -> Filter | Field | None:
    """The first filter or nested field inside a title:/body: group, if any."""
    if isinstance(node, Filter | Field):
        return node
    if isinstance(node, And | Or):
        for child in node.children:
            found = _first_non_text(child)
            if found is not None:
                return found
    if isinstance(node, Not):
        return _first_non_text(node.child)
    return None


def parse(text: str) -> Node:
    """Parse a query into its syntax tree; raise ``QueryError`` when malformed."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {MAX_QUERY_CHARS} characters", query=text[:80],
                         column=1, hint="split it into several searches")
    return _Parser(text, _Lexer(text).run()).parse()
