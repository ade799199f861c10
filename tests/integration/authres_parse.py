"""authres_parse - parse one Authentication-Results field value into its results (RFC 8601).

Purpose: the integration tests assert on what authmilter reported (method, result, the identity
properties) as parsed values, not by searching the header's text. Standard library only.

Contract: parse_auth_results(value) -> AuthResults(authserv_id, results); each Resinfo has
method, result, comments (the text of its comments, in order), reason (or None) and props
{"ptype.property": value} with quoted-string values unquoted; property names are lowercased,
values kept as written. Raises ValueError on what RFC 8601 section 2.2 does not allow (a
resinfo without method=result, an unterminated comment or quoted string) and on more than
MAX_RESULTS resinfos or MAX_VALUE_CHARS of input: hostile or broken output is a failure to
report, never silently half-parsed.
"""

import dataclasses
import re

MAX_RESULTS = 100
MAX_VALUE_CHARS = 64 * 1024
# method[/version]=result, reason=..., ptype.property=value; a value is a token or quoted-string.
ELEMENT_RE = re.compile(r'([A-Za-z0-9_.\-/]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)|(\S+)')


@dataclasses.dataclass
class Resinfo:
    method: str
    result: str
    comments: list
    reason: str = None
    props: dict = dataclasses.field(default_factory=dict)

    @property
    def comment(self):
        return " ".join(self.comments)


@dataclasses.dataclass
class AuthResults:
    authserv_id: str
    results: list

    def by_method(self, method):
        return [r for r in self.results if r.method == method.lower()]


def _split(value):
    """Top-level ';'-separated segments, each as (text with comments blanked, [comments])."""
    segments, text, comments, comment = [], [], [], []
    depth, quoted, i = 0, False, 0
    while i < len(value):
        char = value[i]
        if char == "\\" and (depth or quoted):
            (comment if depth else text).append(value[i : i + 2])
            i += 2
            continue
        if depth:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    comments.append("".join(comment).strip())
                    comment = []
                    text.append(" ")
                    i += 1
                    continue
            comment.append(char)
        elif char == '"':
            quoted = not quoted
            text.append(char)
        elif char == "(" and not quoted:
            depth = 1
        elif char == ";" and not quoted:
            segments.append(("".join(text), comments))
            text, comments = [], []
        else:
            text.append(char)
        i += 1
    if depth or quoted:
        raise ValueError(f"unterminated comment or quoted string in {value!r}")
    segments.append(("".join(text), comments))
    return segments


def _unquote(token):
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return token


def _resinfo(text, comments):
    elements = ELEMENT_RE.findall(text)
    if not elements or not elements[0][0]:
        raise ValueError(f"resinfo without method=result: {text!r}")
    method, result = elements[0][0].lower(), _unquote(elements[0][1]).lower()
    info = Resinfo(method.split("/", 1)[0], result, comments)
    for name, token, stray in elements[1:]:
        if stray:
            raise ValueError(f"unexpected element {stray!r} in resinfo {text!r}")
        if name.lower() == "reason":
            info.reason = _unquote(token)
        elif "." in name:
            info.props[name.lower()] = _unquote(token)
        else:
            raise ValueError(f"property without ptype in resinfo {text!r}: {name}")
    return info


def parse_auth_results(value):
    if len(value) > MAX_VALUE_CHARS:
        raise ValueError("Authentication-Results value too long")
    segments = _split(value)
    head = segments[0][0].split()
    if not head:
        raise ValueError(f"no authserv-id in {value!r}")
    results = []
    for text, comments in segments[1:]:
        if len(results) >= MAX_RESULTS:
            raise ValueError("too many resinfos")
        if text.strip().lower() == "none" and len(segments) == 2:
            break  # RFC 8601 no-result
        results.append(_resinfo(text, comments))
    return AuthResults(_unquote(head[0]).lower(), results)
