"""Local OpenAI Realtime (GA) server: the embedded default model, reached by the real ``openai`` SDK.

``serve(RealtimeServerConfig(...))`` starts it; ``python -m simulators.realtime`` runs it alone.
"""

from .server import RealtimeServerConfig, RunningServer, serve

__all__ = ["RealtimeServerConfig", "RunningServer", "serve"]
