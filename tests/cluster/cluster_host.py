"""A real multi-node Ray cluster on this machine, in its own process, driven over stdin.

``ray.cluster_utils.Cluster`` runs a head and worker raylets as separate processes; keeping
it out of the pytest process keeps Ray's per-process global state (the test session's own
local Ray) apart. Prints one JSON line when up: ``{"address", "workers": [node ids]}``; then
reads commands: ``remove <i> [graceful]``, ``add``, ``requests`` (what the Ray autoscaler was
asked for), ``alive`` (node ids), ``quit``. Each answers one JSON line.
"""

from __future__ import annotations

import json
import sys

import ray
from ray.autoscaler._private.constants import AUTOSCALER_RESOURCE_REQUEST_CHANNEL
from ray.cluster_utils import Cluster
from ray.experimental.internal_kv import _internal_kv_get

CALL_RESOURCE = "voxray_call_node"


def main() -> None:
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "resources": {"voxray_control": 1}})
    workers = [cluster.add_node(num_cpus=1, resources={CALL_RESOURCE: 1}) for _ in range(2)]
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False)  # to read what the autoscaler was asked for
    print(json.dumps({"address": cluster.address, "workers": [w.node_id for w in workers]}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "remove":
            node = workers[int(cmd[1])]
            cluster.remove_node(node, allow_graceful=len(cmd) > 2 and cmd[2] == "graceful")
            print(json.dumps({"removed": node.node_id}), flush=True)
        elif cmd[0] == "add":
            node = cluster.add_node(num_cpus=1, resources={CALL_RESOURCE: 1})
            workers.append(node)
            print(json.dumps({"added": node.node_id}), flush=True)
        elif cmd[0] == "requests":
            raw = _internal_kv_get(AUTOSCALER_RESOURCE_REQUEST_CHANNEL)
            print(json.dumps({"bundles": json.loads(raw) if raw else None}), flush=True)
        elif cmd[0] == "alive":
            print(json.dumps({"alive": [n["NodeID"] for n in ray.nodes() if n["Alive"]]}), flush=True)
        elif cmd[0] == "quit":
            break
    ray.shutdown()
    cluster.shutdown()


if __name__ == "__main__":
    main()
