"""Start-up check of the egress settings (F1): tenants' webhooks and tools reach only public
https endpoints unless each relaxation is set on its own, and never silently on a shared host.

``webhook_allow_private_hosts`` lets a tenant aim requests at this network (the Ray dashboard,
the cloud metadata address, actor ports) and read the answers in the delivery log. That is
tolerable on a developer's loopback-only gateway; on any other bind address it needs the
second, loud setting ``VOXRAY_I_UNDERSTAND_TENANTS_CAN_REACH_PRIVATE_NETWORKS``.
"""

from __future__ import annotations

import ipaddress

import structlog

from voxray.settings import Settings

log = structlog.get_logger("voxray.egress")


class UnsafeEgress(RuntimeError):
    """The settings would let tenants reach private networks from a non-loopback gateway."""


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_egress(settings: Settings) -> list[str]:
    """The relaxations in force (for the start-up log); raises UnsafeEgress when refused."""
    relaxed = [name for name, on in (("webhook_allow_http", settings.webhook_allow_http),
                                     ("webhook_allow_private_hosts", settings.webhook_allow_private_hosts)) if on]
    if (settings.webhook_allow_private_hosts and not is_loopback_host(settings.host)
            and not settings.i_understand_tenants_can_reach_private_networks):
        raise UnsafeEgress(
            f"VOXRAY_WEBHOOK_ALLOW_PRIVATE_HOSTS is on and the gateway binds {settings.host}: tenants could reach "
            "private services. Turn it off, bind 127.0.0.1, or also set "
            "VOXRAY_I_UNDERSTAND_TENANTS_CAN_REACH_PRIVATE_NETWORKS=true")
    return relaxed


def enforce_egress_policy(settings: Settings) -> None:
    """Refuse unsafe egress settings and log what is relaxed; call once at gateway start."""
    relaxed = check_egress(settings)
    if relaxed:
        log.warning("egress_relaxed", relaxed=relaxed, host=settings.host,
                    acknowledged=settings.i_understand_tenants_can_reach_private_networks,
                    note="tenant webhooks and tools may reach plain-http and/or private addresses")
    else:
        log.info("egress_public_https_only")
