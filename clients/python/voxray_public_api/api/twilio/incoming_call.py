from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.twilio_voice_request import TwilioVoiceRequest
from typing import cast



def _get_kwargs(
    *,
    body: TwilioVoiceRequest,
    x_twilio_signature: str,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-Twilio-Signature"] = x_twilio_signature



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/incoming-call",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | None:
    if response.status_code == 403:
        return None

    if response.status_code == 404:
        return None

    if response.status_code == 409:
        return None

    if response.status_code == 411:
        return None

    if response.status_code == 413:
        return None

    if response.status_code == 415:
        return None

    if response.status_code == 422:
        return None

    if response.status_code == 503:
        return None

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TwilioVoiceRequest,
    x_twilio_signature: str,

) -> Response[Any]:
    """ Twilio inbound call webhook

     **Called by Twilio, not by your code.** Configure it as the Voice URL (HTTP POST) of each of the
    tenant's numbers: `{public base URL}/api/v1/incoming-call`. Twilio signs the full URL and every form
    parameter with the account's auth token (HMAC-SHA1, `X-Twilio-Signature`); the request is refused
    (403) unless the signature verifies against the configured public URL. The answer is TwiML that
    connects the call to a Media Streams websocket (`<Connect><Stream>`) served by this gateway. See
    /docs/webhooks for the exact URL reconstruction.

    Args:
        x_twilio_signature (str):
        body (TwilioVoiceRequest): Twilio's voice webhook parameters (form-encoded); every
            parameter Twilio sends is signed

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
     """


    kwargs = _get_kwargs(
        body=body,
x_twilio_signature=x_twilio_signature,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TwilioVoiceRequest,
    x_twilio_signature: str,

) -> Response[Any]:
    """ Twilio inbound call webhook

     **Called by Twilio, not by your code.** Configure it as the Voice URL (HTTP POST) of each of the
    tenant's numbers: `{public base URL}/api/v1/incoming-call`. Twilio signs the full URL and every form
    parameter with the account's auth token (HMAC-SHA1, `X-Twilio-Signature`); the request is refused
    (403) unless the signature verifies against the configured public URL. The answer is TwiML that
    connects the call to a Media Streams websocket (`<Connect><Stream>`) served by this gateway. See
    /docs/webhooks for the exact URL reconstruction.

    Args:
        x_twilio_signature (str):
        body (TwilioVoiceRequest): Twilio's voice webhook parameters (form-encoded); every
            parameter Twilio sends is signed

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
     """


    kwargs = _get_kwargs(
        body=body,
x_twilio_signature=x_twilio_signature,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

