"""The request/response protocol every view shares.

The browser sends each user action as a custom message `{"action": ..., "req": n, ...}`; `dispatch` runs
the view's handler for it (from `self._actions`) with the traits' sync held, and answers
`{"event": "done", "req": n, "action": ..., "ok": ..., "error"?, "python_ms"}` after the traits changed, so
the page always shows what is in the project. A failure is shown in the view's `error` trait, never lost in
a log; the same operations called from Python (`raise_errors=True`) raise instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..errors import ValidationError, WorkbenchError

Handler = Callable[[dict[str, Any]], "dict[str, Any] | None"]


class Actions:
    """Mixin for anywidget views: `_actions` maps action names to handlers; needs an `error` trait."""

    _actions: dict[str, Handler]

    def dispatch(self, content: dict[str, Any], raise_errors: bool = False) -> dict[str, Any]:
        """Handle one message from the browser; returns the reply (also sent to the browser by the comm)."""
        began = time.perf_counter()
        action = content.get("action") if isinstance(content, dict) else None
        reply: dict[str, Any] = {"event": "done", "req": content.get("req") if isinstance(content, dict) else None,
                                 "action": action, "ok": True}
        handler = self._actions.get(action) if isinstance(action, str) else None
        try:
            if handler is None:
                raise ValidationError(f"unknown action {action!r}")
            with self.hold_sync():  # type: ignore[attr-defined]
                result = handler(content)
                if action != "clear_error":
                    self.error = ""
            reply.update(result or {})
        except Exception as exc:  # an unexpected failure must show in the view, not vanish in a log
            self.error = str(exc) if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: {exc}"
            reply.update(ok=False, error=self.error)
            if raise_errors:
                raise
        reply["python_ms"] = round((time.perf_counter() - began) * 1000, 2)
        return reply

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("kind") == "anywidget-command":
            return  # anywidget's own command protocol
        self.send(self.dispatch(content))  # type: ignore[attr-defined]
