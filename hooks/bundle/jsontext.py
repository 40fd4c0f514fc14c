"""Edit a JSON file's text so that the diff is the change: :func:`patch` rewrites only the values
that differ between the text and the new data, and keeps every other character as it was.

How: :func:`parse` records where each value starts and ends in the text (a small recursive
scanner; scalars and keys are decoded by :meth:`json.JSONDecoder.raw_decode`, so they mean what
``json.loads`` makes of them). :func:`patch` walks the old tree and the new data together:

* a value equal to the old one (same JSON types, recursively) keeps its text byte for byte: key
  order, whitespace, one-line arrays, escapes, number spelling;
* an object keeps its members' text, drops the members that are gone and adds the new ones where
  the new data has them; an array is matched element by element (:class:`difflib.SequenceMatcher`
  on the elements' JSON), so an entry put first or last, or changed in place, leaves the others
  alone, and a changed entry is patched the same way inside;
* between two members that were neighbours the old separator stays; a new member gets its
  neighbour's separator, so it is indented like its siblings, and taking it out again gives back
  the old text exactly (``add`` then ``remove`` is the identity);
* an object or array that was empty (``{}``) and gets members is opened over several lines when
  the object around it is, and ``{}`` again when its members go; new values are written in the
  file's style (:class:`Style`): its indentation unit, ``": "`` or ``":"``, one-line arrays of
  strings and numbers when the file writes those on one line (as the example bundles do), and
  non-ASCII escaped when the file is all ASCII.

Leading and trailing text (the final newline or its absence) is kept. A document this cannot
patch (duplicate keys in an object it must change) raises :class:`Unpatchable`; the caller then
writes the file whole (:class:`hooks.bundle.layout.Layout`).
"""

import json
import re
from difflib import SequenceMatcher

import attrs

_WS = " \t\n\r"
_DECODER = json.JSONDecoder()


class Unpatchable(ValueError):
    """The text cannot be edited in place (it is then rewritten whole)."""


@attrs.frozen
class Node:
    """One JSON value in the text: ``text[start:end]`` is its source."""

    start: int
    end: int
    value: object
    """What ``json.loads`` makes of it."""
    kind: str = "scalar"
    """``object``, ``array`` or ``scalar``."""
    children: tuple["Node", ...] = ()
    """The members' values (object) or the elements (array), in order."""
    keys: tuple[tuple[str, int, int], ...] = ()
    """An object's member names, each with where its quoted name starts and ends."""

    def begin(self, index: int) -> int:
        """Where member or element ``index`` starts: its name for an object member."""
        return self.keys[index][1] if self.kind == "object" else self.children[index].start


def parse(text: str) -> Node:
    """The value tree of ``text``, a whole JSON document (``ValueError`` if it is not one)."""
    node, end = _value(text, _skip(text, 0))
    if _skip(text, end) != len(text):
        raise ValueError(f"extra data at character {end}")
    return node


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _expect(text: str, i: int, chars: str) -> str:
    if i >= len(text) or text[i] not in chars:
        raise ValueError(f"expected {chars!r} at character {i}")
    return text[i]


def _value(text: str, i: int) -> tuple[Node, int]:
    if i < len(text) and text[i] in "{[":
        is_object = text[i] == "{"
        close = "}" if is_object else "]"
        children: list[Node] = []
        keys: list[tuple[str, int, int]] = []
        j = _skip(text, i + 1)
        if j < len(text) and text[j] == close:
            return Node(i, j + 1, {} if is_object else [], "object" if is_object else "array"), j + 1
        while True:
            if is_object:
                _expect(text, j, '"')
                key, after = _DECODER.raw_decode(text, j)
                keys.append((key, j, after))
                j = _skip(text, after)
                _expect(text, j, ":")
                j = _skip(text, j + 1)
            child, j = _value(text, j)
            children.append(child)
            j = _skip(text, j)
            if _expect(text, j, "," + close) == close:
                break
            j = _skip(text, j + 1)
        value: object = ({k[0]: c.value for k, c in zip(keys, children, strict=True)} if is_object
                         else [c.value for c in children])
        return Node(i, j + 1, value, "object" if is_object else "array", tuple(children), tuple(keys)), j + 1
    if i < len(text) and text[i] in "]},:":
        raise ValueError(f"expected a value at character {i}")
    scalar, end = _DECODER.raw_decode(text, i)
    return Node(i, end, scalar), end


def same(a: object, b: object) -> bool:
    """JSON equality: ``1``, ``1.0`` and ``true`` differ, as their text does; key order counts."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@attrs.frozen(kw_only=True)
class Style:
    """How a file writes JSON, for the values :func:`patch` adds."""

    indent: str | None = None
    """The indentation unit; None for a file on one line."""
    colon: str = ":"
    """Between a member's name and its value (``": "`` as json.dumps writes it, or ``":"``)."""
    comma: str = ","
    """Between the members of an object or array on one line."""
    inline_arrays: bool = False
    """Whether arrays of strings and numbers go on one line in a file of several lines."""
    ascii: bool = True
    """Whether non-ASCII characters are written as ``\\u`` escapes."""
    newline: str = "\n"

    @classmethod
    def of(cls, text: str, root: Node) -> "Style":
        """The style of ``text``, whose tree is ``root``."""
        colon = comma = None
        inline = multiline = 0
        stack = [root]
        while stack:
            node = stack.pop()
            stack.extend(reversed(node.children))
            if not node.children:
                continue
            if colon is None and node.kind == "object":
                colon = text[node.keys[0][2]:node.children[0].start]
            between = text[node.children[0].end:node.begin(1)] if len(node.children) > 1 else ""
            if comma is None and between and "\n" not in between:
                comma = between
            if node.kind == "array" and all(c.kind == "scalar" for c in node.children):
                if "\n" in text[node.start:node.end]:
                    multiline += 1
                else:
                    inline += 1
        body = text.strip(_WS)
        indent = None
        if "\n" in body:
            match = re.search(r"\n([ \t]+)\S", body)
            indent = match.group(1) if match else ""
        colon = colon if colon is not None else (": " if indent is not None else ":")
        if comma is None:
            comma = ", " if colon.endswith(" ") else ","
        return cls(indent=indent, colon=colon, comma=comma, inline_arrays=inline > multiline,
                   ascii=text.isascii(), newline="\r\n" if "\r\n" in text else "\n")

    def dump(self, value: object, indent: str, multiline: bool) -> str:
        """``value`` as this file would write it on a line indented by ``indent``; on one line
        unless ``multiline`` (and the file has an indentation)."""
        ascii = self.ascii
        if isinstance(value, (dict, list)) and value:
            scalars = isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value)
            if multiline and self.indent is not None and not (scalars and self.inline_arrays):
                inner = indent + self.indent
                items = ([json.dumps(k, ensure_ascii=ascii) + self.colon + self.dump(v, inner, True)
                          for k, v in value.items()] if isinstance(value, dict)
                         else [self.dump(v, inner, True) for v in value])
                nl = self.newline
                body = ("," + nl + inner).join(items)
                return f"{'{' if isinstance(value, dict) else '['}{nl}{inner}{body}{nl}{indent}" + (
                    "}" if isinstance(value, dict) else "]")
            items = ([json.dumps(k, ensure_ascii=ascii) + self.colon + self.dump(v, indent, False)
                      for k, v in value.items()] if isinstance(value, dict)
                     else [self.dump(v, indent, False) for v in value])
            inner_text = self.comma.join(items)
            return "{" + inner_text + "}" if isinstance(value, dict) else "[" + inner_text + "]"
        return json.dumps(value, ensure_ascii=ascii)


def patch(text: str, new: object) -> str:
    """``text`` with its JSON value changed to ``new``, every unchanged value's text kept.
    ``ValueError`` when ``text`` is not JSON, :class:`Unpatchable` when it cannot be edited."""
    root = parse(text)
    style = Style.of(text, root)
    body = _Patcher(text, style).value(root, new, _line_indent(text, root.start), style.indent is not None)
    return text[:root.start] + body + text[root.end:]


def _line_indent(text: str, position: int) -> str:
    """The whitespace that starts the line ``position`` is on."""
    start = text.rfind("\n", 0, position) + 1
    end = start
    while end < position and text[end] in " \t":
        end += 1
    return text[start:end]


@attrs.frozen
class _Patcher:
    text: str
    style: Style

    def value(self, node: Node, new: object, indent: str, multiline: bool) -> str:
        """The text of ``node`` changed to ``new``; ``multiline``: whether the container it is in
        spans several lines (a new value there may too)."""
        if same(node.value, new):
            return self.text[node.start:node.end]
        if node.kind == "object" and isinstance(new, dict):
            return self._object(node, new, indent, multiline)
        if node.kind == "array" and isinstance(new, list):
            return self._array(node, new, indent, multiline)
        return self.style.dump(new, indent, multiline)

    def _opened(self, node: Node, multiline: bool) -> bool:
        """Whether ``node``'s members go on lines of their own."""
        if node.children:
            return "\n" in self.text[node.start:node.begin(0)]
        return multiline and self.style.indent is not None

    def _inner_indent(self, node: Node, indent: str) -> str:
        if node.children:
            lead = self.text[node.start + 1:node.begin(0)]
            if "\n" in lead:
                return lead.rsplit("\n", 1)[1]
        return indent + (self.style.indent or "")

    def _object(self, node: Node, new: dict[str, object], indent: str, multiline: bool) -> str:
        names = [key for key, _, _ in node.keys]
        if len(set(names)) != len(names):
            raise Unpatchable("an object with a repeated member name")
        index = {key: i for i, key in enumerate(names)}
        opened = self._opened(node, multiline)
        inner = self._inner_indent(node, indent)
        colon = self.style.colon
        if node.children:
            colon = self.text[node.keys[0][2]:node.children[0].start]
        pieces: list[tuple[int | None, str]] = []
        for key, value in new.items():
            if key in index:
                i = index[key]
                child, begin = node.children[i], node.keys[i][1]
                text = self.value(child, value, _line_indent(self.text, begin), opened)
                pieces.append((i, self.text[begin:child.start] + text))
            else:
                name = json.dumps(key, ensure_ascii=self.style.ascii)
                pieces.append((None, name + colon + self.style.dump(value, inner, opened)))
        return self._join(node, pieces, indent, opened)

    def _array(self, node: Node, new: list[object], indent: str, multiline: bool) -> str:
        opened = self._opened(node, multiline)
        inner = self._inner_indent(node, indent)
        old_keys = [json.dumps(c.value) for c in node.children]
        new_keys = [json.dumps(v) for v in new]
        pieces: list[tuple[int | None, str]] = []
        matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            paired = min(i2 - i1, j2 - j1) if tag in ("equal", "replace") else 0
            for k in range(paired):
                child = node.children[i1 + k]
                pieces.append((i1 + k, self.value(child, new[j1 + k], _line_indent(self.text, child.start), opened)))
            for k in range(j1 + paired, j2):
                pieces.append((None, self.style.dump(new[k], inner, opened)))
        return self._join(node, pieces, indent, opened)

    def _join(self, node: Node, pieces: list[tuple[int | None, str]], indent: str, opened: bool) -> str:
        """``node``'s brackets around ``pieces`` (each: the old index it stands for, or None for
        a new one, and its text), with the old separators where they still fit."""
        text, children = self.text, node.children
        open_, close = text[node.start], text[node.end - 1]
        if not pieces:
            return open_ + close
        nl = self.style.newline
        if children:
            lead = text[node.start + 1:node.begin(0)]
            trail = text[children[-1].end:node.end - 1]
            seps = [text[children[k].end:node.begin(k + 1)] for k in range(len(children) - 1)]
            default = seps[0] if seps else ("," + lead if "\n" in lead else self.style.comma)
        elif opened:
            inner = indent + (self.style.indent or "")
            lead, trail, seps, default = nl + inner, nl + indent, [], "," + nl + inner
        else:
            lead, trail, seps, default = "", "", [], self.style.comma
        out = [lead]
        for position, (old, piece) in enumerate(pieces):
            if position:
                before = pieces[position - 1][0]
                if before is not None and before < len(seps):
                    out.append(seps[before])  # the separator that followed the member before
                elif old is not None and 0 < old <= len(seps):
                    out.append(seps[old - 1])  # the separator that preceded this member
                else:
                    out.append(default)
            out.append(piece)
        out.append(trail)
        return open_ + "".join(out) + close
