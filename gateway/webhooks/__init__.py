"""Outbound webhooks to tenants: endpoint settings, signing, the delivery worker, the log.

Events are queued by ``voxray.events.emit`` (from the gateway or a session actor); a worker in
every gateway claims due deliveries from Redis, signs them per Standard Webhooks, POSTs them,
and retries with backoff until a 2xx or the attempts run out (then they are dead-lettered).
"""
