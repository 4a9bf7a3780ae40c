"""List the tenant's call logs newest first, page by page (the client follows next_cursor).

    VOXRAY_API_KEY=vxk_… python list_call_logs.py [page-size]
"""

from __future__ import annotations

import sys

from _env import base_url, env
from voxray_client import VoxrayClient


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    total = pages = 0
    with VoxrayClient(base_url(), env("VOXRAY_API_KEY")) as client:
        for page in client.call_log_pages(limit=limit):
            pages += 1
            print(f"page {pages}: {len(page)} call(s)")
            for call in page:
                print(f"  {call.id} {call.status.value} {call.direction.value} {call.from_number} -> {call.to_number}")
            total += len(page)
    print(f"total: {total} call(s) in {pages} page(s)")


if __name__ == "__main__":
    main()
