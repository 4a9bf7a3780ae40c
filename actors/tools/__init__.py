"""Workflow tools: the model's tool catalog, argument checks, the tenant-endpoint invoker, built-ins.

Pure building blocks; the session actor owns the model stream and the HTTP client and calls these.
"""
