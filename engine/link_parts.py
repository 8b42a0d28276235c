"""Split a URL (as a person wrote it, maybe defanged or without a scheme) into checkable parts.

Parsing follows what a browser would do where it matters for safety: `\\` counts as `/`, the
host is read after the last `@`, full-width dots separate labels, percent-escapes in the host are
decoded, IDNA labels are shown in Unicode, and a host whose last label is a number is an IPv4
address (so `http://3232235777/` and `http://0xC0.0xA8.0.1/` are IP hosts, as browsers treat them).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

_DEFANGED_SCHEME = re.compile(r"^h(?:xx|XX|Xx|xX|\*\*|tt)p(s?)(?:\[:\]|\(:\)|:)", re.IGNORECASE)
_DEFANGED_DOTS = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}", re.IGNORECASE)
_WIDE_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]{0,15}):")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")

#: Schemes whose URLs have a host; anything else (`tg:`) is kept opaque for shape rules.
HOST_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})


def refang(url: str) -> str:
    """Undo the usual defanging: `hxxp` -> `http`, `[.]`/`(.)`/`{.}` -> `.`, `[:]` -> `:`."""
    out = _DEFANGED_SCHEME.sub(lambda m: f"http{m.group(1).lower()}:", url)
    out = _DEFANGED_DOTS.sub(".", out)
    return out.translate(_WIDE_DOTS)


@dataclass(frozen=True)
class UrlParts:
    """A parsed URL. `host` is lowercase Unicode (IDNA decoded), `ascii_host` its punycode form."""

    scheme: str  # lowercase; "" when the text had none (a bare domain)
    userinfo: str
    host: str
    ascii_host: str
    port: str
    path: str  # "" or starting with "/"
    query: str
    fragment: str
    opaque: str = ""  # everything after "scheme:" for non-host schemes such as tg:

    @property
    def bare_host(self) -> str:
        """The host without a leading `www.`: shapes and lists name hosts that way."""
        return self.host[4:] if self.host.startswith("www.") else self.host

    @property
    def has_path(self) -> bool:
        """True when the URL points at something more than the site's front page."""
        return self.path not in ("", "/") or bool(self.query)

    @property
    def tail(self) -> str:
        """Path, query and fragment as one string, the way shape patterns read them."""
        out = self.path
        if self.query:
            out += "?" + self.query
        if self.fragment:
            out += "#" + self.fragment
        return out


def parse_url(url: str) -> UrlParts | None:
    """Parse a URL, defanged or not, with or without scheme; None when it has no usable host."""
    text = refang(url.strip())
    scheme = ""
    match = _SCHEME.match(text)
    if match and not _looks_like_host_port(text):
        scheme = match.group(1).lower()
        rest = text[match.end() :]
        if scheme not in HOST_SCHEMES:
            return UrlParts(scheme, "", "", "", "", "", "", "", opaque=rest)
        text = rest.replace("\\", "/").lstrip("/")
    else:
        text = text.replace("\\", "/")
    authority, tail = _split_authority(text)
    userinfo, _, hostport = authority.rpartition("@")
    host, port = _split_port(hostport)
    host = _normalise_host(host)
    if not host:
        return None
    path, query, fragment = _split_tail(tail)
    return UrlParts(
        scheme=scheme,
        userinfo=userinfo,
        host=host,
        ascii_host=_to_ascii(host),
        port=port,
        path=path,
        query=query,
        fragment=fragment,
    )


def _looks_like_host_port(text: str) -> bool:
    """`example.com:8080/x` has no scheme even though it starts with `word:`."""
    head = text.split("/", 1)[0]
    name, _, port = head.partition(":")
    return "." in name and port.isdigit()


def _split_authority(text: str) -> tuple[str, str]:
    for i, char in enumerate(text):
        if char in "/?#":
            return text[:i], text[i:]
    return text, ""


def _split_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return "", ""
        return hostport[: end + 1], hostport[end + 2 :] if hostport[
            end + 1 : end + 2
        ] == ":" else ""
    host, _, port = hostport.partition(":")
    return host, port


def _split_tail(tail: str) -> tuple[str, str, str]:
    rest, _, fragment = tail.partition("#")
    path, _, query = rest.partition("?")
    return path, query, fragment


def _normalise_host(host: str) -> str:
    if "%" in host:
        host = unquote(host)
    if not host.isascii():
        # UTS 46 (browsers' IDNA mapping) drops zero-width spaces and soft hyphens, and refuses
        # other format characters; drop them all, so the host meant is the host checked.
        host = "".join(c for c in host if unicodedata.category(c) != "Cf")
    host = unicodedata.normalize("NFKC", host).lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        return host
    if "xn--" in host:
        host = ".".join(_label_to_unicode(label) for label in host.split("."))
    return host


def _label_to_unicode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode").lower()
    except (UnicodeError, ValueError):
        return label


def _to_ascii(host: str) -> str:
    if host.isascii():
        return host
    out = []
    for label in host.split("."):
        try:
            out.append(label.encode("idna").decode("ascii") if not label.isascii() else label)
        except (UnicodeError, ValueError):
            return ""
    return ".".join(out)


def ip_of_host(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a host names, in any form a browser accepts (dotted, decimal, hex, octal)."""
    if host.startswith("[") and host.endswith("]"):
        try:
            return ipaddress.IPv6Address(host[1:-1].split("%", 1)[0])
        except ValueError:
            return None
    labels = host.split(".")
    if not _NUMERIC_LABEL.match(labels[-1]) or len(labels) > 4:
        return None
    numbers = []
    for label in labels:
        if not _NUMERIC_LABEL.match(label):
            return None
        numbers.append(_ipv4_number(label))
    if any(n is None for n in numbers):
        return None
    return _ipv4_from_parts([n for n in numbers if n is not None])


def _ipv4_number(label: str) -> int | None:
    try:
        if label.startswith("0x"):
            return int(label[2:] or "0", 16)
        if len(label) > 1 and label.startswith("0"):
            return int(label, 8)
        return int(label)
    except ValueError:
        return None


def _ipv4_from_parts(parts: list[int]) -> ipaddress.IPv4Address | None:
    *head, last = parts
    if any(p > 255 for p in head) or last >= 256 ** (5 - len(parts)):
        return None
    value = last
    for i, part in enumerate(head):
        value += part << (8 * (3 - i))
    return ipaddress.IPv4Address(value)
