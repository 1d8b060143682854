"""One watcher per server process wakes the joined sessions of a class when its teacher pushes a setup.

Without it every joined page would poll the store from the browser once a second: a Streamlit script run per
student per second (~4 ms of server CPU each, more than the 5 % of a run's CPU the class may cost). Instead one
thread per replica reads each followed class's record twice a second and asks the sessions that have not seen the
new setup for a script run (Streamlit's AppSession.request_rerun, on the server's event loop); the page's own follow
then switches it. Every replica runs its own watcher over the shared store, so a push through one replica reaches
students on all of them. The registry holds session ids and class codes only, never a user's data.

A wake reruns the page the session is on, and only a session with no script running: a wake that stopped a run
(Streamlit stops a running script for a new run) could land between the pushed page's "seen" and its end, and a
rerun of the page before would then stay there, the push marked seen (a loaded server did that: a student's page
switched, then went back).

If Streamlit's internals move (the runtime or its sessions are not where this looks), `watch` says so and the page
polls from the browser every second instead.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from scratchnet.ui.class_link import classroom

log = logging.getLogger("scratchnet")
INTERVAL_S = 0.5
RETRY_S = 2.0  # a woken page that has not caught up by then is woken again (its run may have been another's)
_lock = threading.Lock()
_members: dict[str, tuple[str, int]] = {}  # session id → (class code, setup version it has seen)
_woken: dict[str, float] = {}  # session id → when it was last woken, until its page registers again
_thread: threading.Thread | None = None


def _runtime() -> Any:
    try:
        from streamlit.runtime import Runtime

        return Runtime.instance() if Runtime.exists() else None
    except Exception:  # noqa: BLE001 — internals moved: the browser polls instead
        return None


def watch(code: str, seen: int) -> bool:
    """Follow `code` for this session (until its next push); False when the server cannot wake it."""
    global _thread
    ctx, runtime = get_script_run_ctx(), _runtime()
    if ctx is None or runtime is None or not hasattr(runtime, "_session_mgr"):
        return False
    with _lock:
        if _members.get(ctx.session_id) != (code, seen):  # caught up (or a new class): no wake pending
            _woken.pop(ctx.session_id, None)
        _members[ctx.session_id] = (code, seen)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, args=(runtime,), name="scratchnet-class-watch", daemon=True)
            _thread.start()
    return True


def unwatch() -> None:
    ctx = get_script_run_ctx()
    if ctx is not None:
        with _lock:
            _members.pop(ctx.session_id, None)
            _woken.pop(ctx.session_id, None)


def _loop(runtime: Any) -> None:
    while True:
        time.sleep(INTERVAL_S)
        try:
            _wake_behind(runtime)
        except Exception:  # noqa: BLE001 — a store hiccup must not end the watcher
            log.exception("class watcher")


def _wake_behind(runtime: Any) -> None:
    with _lock:
        members = dict(_members)
    views = {code: classroom().view(code) for code in {code for code, _ in members.values()}}
    loop = runtime._get_async_objs().eventloop
    now = time.monotonic()
    for sid, (code, seen) in members.items():
        view = views[code]
        if view is None or view.setup is None or view.setup.version <= seen:
            continue  # nothing new (an ended class shows at the page's next run: no need to wake it)
        info = runtime._session_mgr.get_active_session_info(sid)
        if info is None:  # gone, or disconnected (a browser that reconnects runs its page, which follows again)
            with _lock:
                _members.pop(sid, None)
                _woken.pop(sid, None)
            continue
        if _running(info.session):
            continue  # its run ends first (a woken run registers; this one may already have)
        with _lock:  # the woken page registers again with what it then has seen; until then, woken again
            if now - _woken.get(sid, -math.inf) < RETRY_S:  # every RETRY_S: the browser's own run can replace ours
                continue
            _woken[sid] = now
        loop.call_soon_threadsafe(_wake, info.session)


def _running(session: Any) -> bool:
    """Whether a script of this session runs (or is about to): its ScriptRunner exists until the run ends."""
    return getattr(session, "_scriptrunner", None) is not None


def _wake(session: Any) -> None:
    """On the server's event loop, where the browser's own run requests are handled: rerun the page the session
    is on (its last run's query and page), unless a run started since the watcher looked."""
    if _running(session):
        return  # the next look wakes it if that run did not catch up
    last = getattr(session, "_client_state", None)
    session.request_rerun(ClientState(query_string=last.query_string, page_script_hash=last.page_script_hash)
                          if last is not None else None)
