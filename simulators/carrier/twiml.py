"""Parse the TwiML a voice webhook answers with (pure, ``xml.etree``).

Models the verbs the carrier simulator acts on: ``<Connect><Stream>`` with its
``<Parameter>`` list, plus ``<Say>``, ``<Dial>``, ``<Hangup>`` and ``<Reject>``. Other
real Twilio verbs are kept as ``OtherVerb``; unknown elements raise ``TwimlError``, as
Twilio's own parser fails the call with error 12100/12200.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Union

from simulators.carrier.errors import TwimlError

#: Voice verbs Twilio accepts inside <Response> (https://www.twilio.com/docs/voice/twiml).
_KNOWN_VERBS = frozenset(
    {
        "Connect", "Dial", "Echo", "Enqueue", "Gather", "Hangup", "Leave", "Pause", "Pay",
        "Play", "Prompt", "Record", "Redirect", "Refer", "Reject", "Say", "Sms", "Start", "Stop",
    }
)


@dataclass(frozen=True)
class Stream:
    """``<Connect><Stream>``: a bidirectional Media Stream."""

    url: str
    parameters: dict[str, str] = field(default_factory=dict)
    status_callback: str | None = None
    status_callback_method: str | None = None
    name: str | None = None
    track: str | None = None


@dataclass(frozen=True)
class Connect:
    stream: Stream
    action: str | None = None


@dataclass(frozen=True)
class Say:
    text: str
    voice: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class DialTarget:
    """Who a ``<Dial>`` calls: ``kind`` is the noun (``Number``, ``Client``, ``Queue``, ``Sip``,
    ``Conference``...; bare text counts as ``Number``) and ``value`` its text."""

    kind: str
    value: str


@dataclass(frozen=True)
class Dial:
    """``<Dial>``: ``number`` is the bare text or the ``<Number>`` noun, if any."""

    number: str | None
    caller_id: str | None = None
    nouns: tuple[str, ...] = ()
    #: Every target in document order. Left out of equality: it restates ``number``/``nouns``.
    targets: tuple[DialTarget, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str = "rejected"


@dataclass(frozen=True)
class OtherVerb:
    """A valid Twilio verb the simulator does not act on (``<Play>``, ``<Pause>``, ...)."""

    name: str


Verb = Union[Connect, Say, Dial, Hangup, Reject, OtherVerb]


@dataclass(frozen=True)
class TwimlResponse:
    verbs: tuple[Verb, ...]

    @property
    def connect(self) -> Connect | None:
        """The first ``<Connect>``; Twilio runs verbs in order and blocks on it."""
        return next((v for v in self.verbs if isinstance(v, Connect)), None)

    @property
    def verb_names(self) -> list[str]:
        return [v.name if isinstance(v, OtherVerb) else type(v).__name__ for v in self.verbs]


def parse_twiml(document: str | bytes) -> TwimlResponse:
    """Parse a TwiML voice document. Raises ``TwimlError`` with the reason when malformed."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        raise TwimlError(f"TwiML is not well-formed XML: {exc}") from None
    if root.tag != "Response":
        raise TwimlError(f"TwiML root element must be <Response>, got <{root.tag}>")
    return TwimlResponse(tuple(_verb(el) for el in root))


def _verb(el: ET.Element) -> Verb:
    if el.tag == "Connect":
        return _connect(el)
    if el.tag == "Say":
        return Say(text=_text(el), voice=el.get("voice"), language=el.get("language"))
    if el.tag == "Dial":
        return _dial(el)
    if el.tag == "Hangup":
        return Hangup()
    if el.tag == "Reject":
        return Reject(reason=el.get("reason", "rejected"))
    if el.tag in _KNOWN_VERBS:
        return OtherVerb(el.tag)
    raise TwimlError(f"unknown TwiML verb <{el.tag}>")


def _connect(el: ET.Element) -> Connect:
    children = list(el)
    if len(children) != 1:
        raise TwimlError(f"<Connect> must hold exactly one noun, found {len(children)}")
    noun = children[0]
    if noun.tag != "Stream":
        raise TwimlError(f"<Connect><{noun.tag}> is not supported; expected <Stream>")
    return Connect(stream=_stream(noun), action=el.get("action"))


def _stream(el: ET.Element) -> Stream:
    url = (el.get("url") or "").strip()
    if not url:
        raise TwimlError("<Stream> has no url attribute")
    parameters: dict[str, str] = {}
    for child in el:
        if child.tag != "Parameter":
            raise TwimlError(f"<Stream> may only contain <Parameter>, found <{child.tag}>")
        name = child.get("name")
        if not name:
            raise TwimlError("<Parameter> has no name attribute")
        if name in parameters:
            raise TwimlError(f"<Parameter name={name!r}> appears twice")
        parameters[name] = child.get("value", "")
    return Stream(
        url=url,
        parameters=parameters,
        status_callback=el.get("statusCallback"),
        status_callback_method=el.get("statusCallbackMethod"),
        name=el.get("name"),
        track=el.get("track"),
    )


def _dial(el: ET.Element) -> Dial:
    number = _text(el) or None
    nouns = tuple(child.tag for child in el)
    targets = [DialTarget("Number", number)] if number else []
    for child in el:
        if child.tag == "Number" and number is None:
            number = _text(child) or None
        # <Client> may name its identity in an <Identity> child instead of its text.
        value = _text(child) or " ".join(_text(g) for g in child if _text(g))
        targets.append(DialTarget(child.tag, value))
    return Dial(number=number, caller_id=el.get("callerId"), nouns=nouns, targets=tuple(targets))


def _text(el: ET.Element) -> str:
    return (el.text or "").strip()
