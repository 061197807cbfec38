"""Webhook delivery on a thread of its own, so a slow or dead webhook never holds up tagging.

Each alert gets a few attempts with a growing pause; one still undelivered stays
`pending` in the alerts file and is offered again next cycle, until
`MAX_ATTEMPTS` in all, then it is `failed`. Delivery is at least once: the
receiver can tell repeats by ``alert_id``.
"""
from __future__ import annotations

import json
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from service.watch.alerts import DELIVERED, FAILED, PENDING, AlertLog, now
from service.watch.fetch import user_agent

MAX_ATTEMPTS = 10
TRIES_PER_ROUND = 3
FIRST_PAUSE_S = 0.5
TIMEOUT_S = 5.0


def post_json(url: str, payload: Mapping[str, Any], timeout: float) -> str | None:
    """POST `payload` as JSON; None when the receiver answered 2xx, else what went wrong."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": user_agent()})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(65536)
            return None
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except urllib.error.URLError as exc:
        return f"cannot connect: {exc.reason}"
    except (OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


class Deliverer:
    """Posts pending alerts to their rule's webhook from a background thread.

    `hooks` maps rule names to webhook URLs; `stop` ends the pauses between tries
    early (SIGTERM), leaving what was not delivered `pending`.
    """

    def __init__(self, log: AlertLog, hooks: Mapping[str, str], stop: threading.Event,
                 post: Callable[[str, Mapping[str, Any], float], str | None] = post_json) -> None:
        self.log, self.hooks, self.stop, self.post = log, dict(hooks), stop, post
        self.queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.queued: set[str] = set()
        self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self.thread.start()

    def offer(self) -> int:
        """Queue every pending alert not queued yet; returns how many were queued."""
        fresh = [a for a in self.log.pending() if a["alert_id"] not in self.queued and a["rule"] in self.hooks]
        for alert in fresh:
            self.queued.add(alert["alert_id"])
            self.queue.put(alert)
        return len(fresh)

    def close(self, timeout: float) -> None:
        """Let the queued deliveries finish (at most `timeout` seconds), then stop the thread."""
        self.queue.put(None)
        self.thread.join(timeout)

    def _run(self) -> None:
        while (alert := self.queue.get()) is not None:
            try:
                self._deliver(alert)
            finally:
                self.queued.discard(alert["alert_id"])

    def _deliver(self, alert: dict[str, Any]) -> None:
        payload = {k: alert[k] for k in ("alert_id", "rule", "created", "item")}
        attempts, error = alert.get("attempts", 0), None
        pause = FIRST_PAUSE_S
        for _ in range(TRIES_PER_ROUND):
            attempts += 1
            error = self.post(self.hooks[alert["rule"]], payload, TIMEOUT_S)
            if error is None or attempts >= MAX_ATTEMPTS or self.stop.wait(pause):
                break
            pause *= 2
        status = DELIVERED if error is None else FAILED if attempts >= MAX_ATTEMPTS else PENDING
        self.log.append([{**alert, "at": now(), "status": status, "attempts": attempts, "error": error}])
