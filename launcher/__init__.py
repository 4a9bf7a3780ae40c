"""The composition root: starts and wires every plane (``voxray up``, ``voxray gateway``, the
embedded stack used by tests and benchmarks). Sits above gateway, actors, governance and
simulators; nothing below imports it."""
