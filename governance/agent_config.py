"""What a call runs when governance routes it to an agent version: the version's spec over the
tenant's runtime config.

The spec decides the model, voice, prompt, audio mode, VAD and (on the local model server) the
script. Tools: the spec holds JSON function tools (what the model sees); a call needs
``ToolSpec`` records (where the session POSTs the arguments). A spec tool maps to a ``ToolSpec``
when it carries one's fields (an ``endpoint``, ...), or when the tenant's config has a tool of
the same name, whose endpoint and timings are kept while the spec's description and parameters
win. If any spec tool cannot be mapped, or the spec names none, the tenant's tools stay as they are.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from governance.models import AgentVersion
from voxray.endpoint_urls import UrlRejected, check_endpoint_url
from voxray.records import AgentConfig, ToolSpec


def agent_config(version: AgentVersion, base: AgentConfig) -> AgentConfig:
    spec = version.spec
    return base.model_copy(update={
        "name": version.agent,
        "version": version.number,
        "instructions": spec.prompt_text,
        "prompt_key": spec.prompt_key,
        "model": spec.model,
        "voice": spec.voice,
        "audio_mode": spec.audio_mode,
        "vad": spec.vad.model_copy(),
        "local_script": spec.local_model_script if spec.local_model_script is not None else base.local_script,
        "tools": map_tools(spec.tools, base.tools),
    })


def map_tools(tools: list[dict[str, Any]], base: list[ToolSpec]) -> list[ToolSpec]:
    if not tools:
        return list(base)
    by_name = {t.name: t for t in base}
    mapped = [_tool(t, by_name) for t in tools]
    if any(t is None for t in mapped):
        return list(base)
    return [t for t in mapped if t is not None]


def _tool(tool: dict[str, Any], base: dict[str, ToolSpec]) -> ToolSpec | None:
    fields = {k: v for k, v in tool.items() if k != "type"}
    try:
        return ToolSpec.model_validate(fields)
    except ValidationError:
        pass
    known = base.get(str(tool.get("name")))
    if known is None:
        return None
    try:
        contract = {k: fields[k] for k in ("description", "parameters") if k in fields}
        return ToolSpec.model_validate(known.model_dump() | contract)
    except ValidationError:
        return None


def check_spec_tools(tools: list[dict[str, Any]], *, allow_http: bool, allow_private: bool) -> None:
    """Every endpoint a version's tools name must pass the same policy as the tenant's runtime
    config tools (https, public host), when the version is saved (F12). Raises UrlRejected."""
    for tool in tools:
        if "endpoint" not in tool:
            continue  # takes the tenant's tool of the same name, which was checked when saved
        endpoint = tool["endpoint"]
        if not isinstance(endpoint, str):
            raise UrlRejected(f"tool {tool.get('name')!r}: endpoint must be a string")
        try:
            check_endpoint_url(endpoint, allow_http=allow_http, allow_private=allow_private)
        except UrlRejected as exc:
            raise UrlRejected(f"tool {tool.get('name')!r}: {exc}") from None
