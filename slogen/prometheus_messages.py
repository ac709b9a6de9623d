"""How slogen speaks of a Prometheus it does not trust.

A server's answer, a label value or a URL may hold control characters, be huge, or
carry credentials; every message about a server goes through here, so none of them can
rewrite a terminal line, flood a log or show a password. The error every server problem
ends in lives here too, as the parsing of answers and the transport both raise it.
"""

from __future__ import annotations

import re

from slogen.errors import SlogenError

SHOWN = 120
"""Characters of server-sent text quoted in a message, at most."""


class PrometheusError(SlogenError):
    """The server could not be reached, did not answer in time, refused the query or
    answered with something that is not a Prometheus API answer."""


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters that a terminal acts on (C0, C1, line and paragraph separators) or that
reorder text (bidi controls)."""


def printable(text: str, limit: int = SHOWN) -> str:
    """Server-sent text made safe for a terminal: control and bidi characters escaped
    (a label value cannot move the cursor or rewrite a line), and cut to ``limit``
    characters (a huge error string does not flood the log)."""
    shown = CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def redact(url: str) -> str:
    """``url`` as a message may show it: without userinfo (``user:password@``), query
    string or fragment, which may hold credentials.

    A password may itself hold ``/``, ``?`` or ``#``, so where the userinfo ends is
    not certain: only what follows the last ``@`` is kept, and no host at all when a
    ``?`` or ``#`` comes before that ``@``."""
    scheme, separator, rest = url.partition("://")
    prefix = f"{scheme}://" if separator else ""
    if not separator:
        rest = url
    if "@" in rest:
        before, _, after = rest.rpartition("@")
        host = "" if re.search(r"[?#]", before) else re.split(r"[/?#]", after)[0]
        return printable(f"{prefix}***@{host}")
    head = re.split(r"[?#]", rest)[0]
    return printable(prefix + head + ("?***" if head != rest else ""))
