"""deploy/kuberay: the objects parse, Ray's own KubeRay reader reads the RayCluster, the gateways
probe /readyz and /livez and outlive their drain, and every reference resolves."""

from __future__ import annotations

import re
from typing import Any

import pytest
import ray
import yaml
from cryptography.fernet import Fernet
from ray.autoscaler._private.kuberay.autoscaling_config import _derive_autoscaling_config_from_ray_cr

from tests.deploy.refs import KUBERAY, ROOT
from voxray.settings import load_settings
from voxray.start_checks import secure_start


def objects() -> list[dict[str, Any]]:
    docs = [d for path in sorted(KUBERAY.glob("*.yaml")) for d in yaml.safe_load_all(path.read_text())]
    return [d for d in docs if d is not None]


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    (found,) = [o for o in objects() if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    return found


def pod_specs() -> list[dict[str, Any]]:
    cluster = one("RayCluster")["spec"]
    return [cluster["headGroupSpec"]["template"]["spec"], *(g["template"]["spec"] for g in cluster["workerGroupSpecs"]),
            *(o["spec"]["template"]["spec"] for o in objects() if o["kind"] in ("Deployment", "StatefulSet"))]


def test_every_object_is_a_kubernetes_object() -> None:
    kinds = set()
    for obj in objects():
        assert obj.get("apiVersion") and obj.get("kind") and obj.get("metadata", {}).get("name"), obj
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", obj["metadata"]["name"])
        kinds.add(obj["kind"])
    assert {"RayCluster", "Deployment", "Service", "Secret", "ConfigMap", "StatefulSet"} <= kinds


def test_ray_reads_the_raycluster_as_its_autoscaler_would() -> None:
    cr = one("RayCluster")
    assert cr["apiVersion"] == "ray.io/v1" and cr["spec"]["enableInTreeAutoscaling"] is True
    cr = {**cr, "metadata": {**cr["metadata"], "namespace": "voxray"}}  # what the API server adds
    config = _derive_autoscaling_config_from_ray_cr(cr)  # also runs Ray's validate_config
    head = config["available_node_types"]["headgroup"]["resources"]
    assert head["CPU"] == 0 and "voxray_call_node" not in head  # governance, pool supervisor, no calls
    (group,) = cr["spec"]["workerGroupSpecs"]
    calls = config["available_node_types"][group["groupName"]]
    assert calls["resources"]["voxray_call_node"] == calls["resources"]["CPU"] == 4
    assert 1 <= calls["min_workers"] <= group["replicas"] <= calls["max_workers"] == config["max_workers"]


def test_one_image_with_the_ray_the_cluster_declares() -> None:
    images = {c["image"] for spec in pod_specs() for c in spec["containers"] if c["name"] != "redis"}
    assert len(images) == 1
    assert one("RayCluster")["spec"]["rayVersion"] == ray.__version__
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert f"ARG RAY_VERSION={ray.__version__}" in dockerfile and '"ray[default]==${RAY_VERSION}"' in dockerfile


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def test_call_nodes_bind_media_to_the_pod_address_and_are_not_niced() -> None:
    cluster = one("RayCluster")["spec"]
    for spec in [cluster["headGroupSpec"]["template"]["spec"], *(g["template"]["spec"] for g in cluster["workerGroupSpecs"])]:
        env = env_of(spec["containers"][0])
        assert env["RAY_worker_niceness"]["value"] == "0" and env["RAY_AUTH_MODE"]["value"] == "token"
    for group in cluster["workerGroupSpecs"]:
        env = env_of(group["template"]["spec"]["containers"][0])
        assert env["VOXRAY_MEDIA_BIND_HOST"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}


def gateway() -> tuple[dict[str, Any], dict[str, Any]]:
    deployment = one("Deployment", "voxray-gateway")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return deployment, container


def test_gateway_probes_and_drain() -> None:
    deployment, container = gateway()
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] in ports
    drain_s = float(one("ConfigMap", "voxray-config")["data"]["VOXRAY_DRAIN_TIMEOUT_S"])
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > drain_s
    assert "preStop" not in str(container.get("lifecycle", {}))
    # `voxray gateway` replaces the shell, so the pod's SIGTERM reaches it (and drains).
    script = container["args"][0]
    assert script.endswith("&& exec voxray gateway") and "--num-cpus=0" in script
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_services_select_their_pods() -> None:
    pods = {o["metadata"]["name"]: o["spec"]["template"] for o in objects() if o["kind"] in ("Deployment", "StatefulSet")}
    for svc in (o for o in objects() if o["kind"] == "Service"):
        template = pods[svc["metadata"]["name"]]
        assert svc["spec"]["selector"].items() <= template["metadata"]["labels"].items()
        names = {p["name"] for c in template["spec"]["containers"] for p in c["ports"]}
        assert all(p["targetPort"] in names for p in svc["spec"]["ports"])


def test_every_secret_and_config_reference_resolves() -> None:
    secrets = {o["metadata"]["name"]: o["stringData"] for o in objects() if o["kind"] == "Secret"}
    configs = {o["metadata"]["name"]: o["data"] for o in objects() if o["kind"] == "ConfigMap"}
    refs = 0
    cluster = one("RayCluster")["spec"]
    containers = [c for spec in pod_specs() for c in spec["containers"]] + [{"env": cluster["autoscalerOptions"]["env"]}]
    for c in containers:
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["key"] in secrets[ref["name"]], ref
                refs += 1
        for src in c.get("envFrom", []):
            assert src["configMapRef"]["name"] in configs
    assert refs >= 10
    assert all(v == "" for s in secrets.values() for v in s.values()), "no secret value is committed"


def gateway_environment(secret_values: dict[str, str]) -> dict[str, str]:
    """The gateway container's environment as Kubernetes builds it (ConfigMap, then env with $(VAR))."""
    _, container = gateway()
    env: dict[str, str] = dict(one("ConfigMap", "voxray-config")["data"])
    for e in container["env"]:
        if "value" in e:
            env[e["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), e["value"])
        elif "secretKeyRef" in e["valueFrom"]:
            env[e["name"]] = secret_values[e["valueFrom"]["secretKeyRef"]["key"]]
        else:
            env[e["name"]] = "10.1.2.3"  # status.podIP
    return env


def test_gateway_environment_is_valid_settings() -> None:
    values = {"stream-token-secret": "s" * 8 + "tok-5Jq2", "secrets-key": Fernet.generate_key().decode(),
              "admin-key": "Zx8-Qw3_Lp9aB7cD2eF4", "openai-api-key": "sk-test", "redis-password": "0123abcd",
              "ray-auth-token": "t", "media-link-key": "m" * 16 + "Qk7-x2Lp9aB7cD2e"}
    assert values.keys() == one("Secret")["stringData"].keys()
    env = gateway_environment(values)
    settings = load_settings(**{k[7:].lower(): v for k, v in env.items() if k.startswith("VOXRAY_")})
    secure_start(settings)  # egress policy, the secrets key, the media link's TLS key (a pod address is not loopback)
    assert settings.redis_url == "redis://:0123abcd@voxray-redis:6379/0"
    assert settings.public_base_url and settings.public_base_url.startswith("https://")
    assert settings.twilio_api_base_url == "https://api.twilio.com" and settings.openai_websocket_base_url is None
    (group,) = one("RayCluster")["spec"]["workerGroupSpecs"]
    assert f'\\"{settings.call_node_resource}\\"' in group["rayStartParams"]["resources"]
    assert settings.media_bind_host == "10.1.2.3" and settings.host == "0.0.0.0"


def test_empty_secrets_keep_redis_and_gateways_down() -> None:
    env = gateway_environment({k: "" for k in one("Secret")["stringData"]})
    with pytest.raises(ValueError, match="admin_key"):
        load_settings(**{k[7:].lower(): v for k, v in env.items() if k.startswith("VOXRAY_")})
    redis = one("StatefulSet", "voxray-redis")["spec"]["template"]["spec"]["containers"][0]
    script = redis["args"][0]
    assert script.startswith('[ -n "$REDIS_PASSWORD" ] || {') and "--appendonly yes" in script
    assert '--requirepass "$REDIS_PASSWORD"' in script


def test_redis_keeps_its_data() -> None:
    redis = one("StatefulSet", "voxray-redis")
    mounts = {m["name"]: m["mountPath"] for m in redis["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]}
    claims = {c["metadata"]["name"] for c in redis["spec"]["volumeClaimTemplates"]}
    assert mounts["data"] == "/data" and "data" in claims and "--dir /data" in redis["spec"]["template"]["spec"]["containers"][0]["args"][0]

