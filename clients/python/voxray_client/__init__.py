"""voxray API clients: ``VoxrayClient`` (tenant keys) and ``AdminClient`` (admin keys), wrapping the
packages generated from ``/api-docs/public.json`` and ``/api-docs/admin.json``."""

from voxray_client.admin import AdminClient
from voxray_client.errors import ApiProblem, FieldError
from voxray_client.tenant import VoxrayClient
from voxray_client.transport import RetryingTransport, RetryPolicy

__all__ = ["AdminClient", "ApiProblem", "FieldError", "RetryPolicy", "RetryingTransport", "VoxrayClient"]
