"""Media streams may go to a pool of media gateways of their own (``MEDIA_PUBLIC_BASE_URL``)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from simulators.carrier.twiml import parse_twiml
from tests.integration.twilio_wire import new_call_sid, post_webhook
from voxray.settings import load_settings


async def test_the_stream_url_names_the_media_gateways_when_they_are_configured(live, make_tenant) -> None:  # type: ignore[no-untyped-def]
    rt = live.gateway.server.config.app.state.runtime
    tenant = await make_tenant(local_script="demo")
    plain = parse_twiml((await post_webhook(live, tenant, new_call_sid())).text).connect
    assert plain is not None and plain.stream.url == "wss://voice.example.test/api/v1/media-stream"
    original = rt.settings
    rt.settings = original.model_copy(update={"media_public_base_url": "https://media.example.test"})
    try:
        response = await post_webhook(live, tenant, new_call_sid())  # signed against PUBLIC_BASE_URL still
    finally:
        rt.settings = original
    connect = parse_twiml(response.text).connect
    assert response.status_code == 200 and connect is not None, response.text
    assert connect.stream.url == "wss://media.example.test/api/v1/media-stream"


def test_a_media_url_without_a_web_scheme_or_less_secure_than_the_public_one_is_refused() -> None:
    with pytest.raises(ValidationError, match="https://"):
        load_settings(media_public_base_url="media.example.test")
    with pytest.raises(ValidationError, match="must be https:// when"):
        load_settings(public_base_url="https://voice.example.test", media_public_base_url="http://media.example.test")
    assert load_settings(public_base_url="http://127.0.0.1:8000",  # local development: both plain
                         media_public_base_url="http://127.0.0.1:8001").media_public_base_url == "http://127.0.0.1:8001"
