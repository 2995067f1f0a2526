"""Forms read out of a rendered page the way a browser would submit them.

A browser drops a value its widget cannot parse: `<input type="date" value="02/12/2026">` comes up empty
and `<input type="number" value="0,5">` too, and the next save sends the empty value. `browser_value`
applies the same rules, so a test that submits a form read with `page_forms` sees what a user would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# The value grammars of the HTML standard for the inputs Konbit uses.
VALID = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4,}-\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "datetime-local": re.compile(r"\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "number": re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?"),
    "range": re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?"),
}
NOT_SENT = {"submit", "button", "reset", "image", "file"}


def browser_value(input_type: str, value: str) -> str:
    """The value a browser keeps for an input of this type given this `value` attribute."""
    pattern = VALID.get(input_type)
    if pattern is not None and not pattern.fullmatch(value):
        return ""
    return value


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "select-multiple" or "textarea"
    value: str
    sent: bool = True


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)
    submitter: tuple[str, str] | None = None
    _options: list[tuple[str, bool]] = field(default_factory=list)

    def data(self) -> dict[str, list[str]]:
        """What the browser sends, as the test client takes it (a name may repeat)."""
        pairs = [(f.name, f.value) for f in self.fields if f.sent and f.name]
        if self.submitter is not None:
            pairs.append(self.submitter)
        sent: dict[str, list[str]] = {}
        for name, value in pairs:
            sent.setdefault(name, []).append(value)
        return sent

    def names(self) -> set[str]:
        return {f.name for f in self.fields}

    def typed(self, kind: str) -> list[Field]:
        return [f for f in self.fields if f.kind == kind]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.option: tuple[str | None, bool] | None = None
        self.option_text = ""
        self.textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("hx-post") or a.get("action", "")
            method = "post" if a.get("hx-post") else a.get("method", "get").lower()
            self.form = Form(method=method, action=action)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in NOT_SENT:
                if kind == "submit" and self.form.submitter is None and "name" in a:
                    self.form.submitter = (a["name"], a.get("value", ""))
                return
            disabled = "disabled" in a
            if kind in {"checkbox", "radio"}:
                sent = "checked" in a and not disabled
                self.form.fields.append(Field(a.get("name", ""), kind, a.get("value", "on"), sent))
            else:
                value = browser_value(kind, a.get("value", ""))
                self.form.fields.append(Field(a.get("name", ""), kind, value, not disabled))
        elif tag == "button":
            if a.get("type", "submit") == "submit" and self.form.submitter is None and "name" in a:
                self.form.submitter = (a["name"], a.get("value", ""))
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self.select = Field(a.get("name", ""), kind, "", "disabled" not in a)
            self.form._options = []
        elif tag == "option" and self.select is not None:
            self.option = (a.get("value"), "selected" in a)
            self.option_text = ""
        elif tag == "textarea":
            self.textarea = Field(a.get("name", ""), "textarea", "", "disabled" not in a)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data
        elif self.option is not None:
            self.option_text += data

    def handle_endtag(self, tag: str) -> None:
        if self.form is None:
            return
        if tag == "option" and self.option is not None:
            value, selected = self.option
            self.form._options.append((value if value is not None else self.option_text.strip(), selected))
            self.option = None
        elif tag == "select" and self.select is not None:
            self._close_select(self.form, self.select)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The parser keeps the newline that follows <textarea>; a browser drops it.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.form.fields.append(self.textarea)
            self.textarea = None
        elif tag == "form":
            self.form = None

    def _close_select(self, form: Form, select: Field) -> None:
        chosen = [value for value, selected in form._options if selected]
        if select.kind == "select":
            # A single select always sends one value: the selected option, or else the first.
            first = form._options[0][0] if form._options else None
            value = chosen[-1] if chosen else first
            if value is not None:
                form.fields.append(Field(select.name, "select", value, select.sent))
        else:
            for value in chosen:
                form.fields.append(Field(select.name, "select-multiple", value, select.sent))


def page_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


class _TypedInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        kind = a.get("type", "").lower()
        if tag == "input" and kind in VALID:
            self.inputs.append((kind, a.get("value", "")))


def typed_inputs(html: str) -> list[tuple[str, str]]:
    """(type, value attribute as written) of every input whose value the browser parses."""
    parser = _TypedInputs()
    parser.feed(html)
    parser.close()
    return parser.inputs
