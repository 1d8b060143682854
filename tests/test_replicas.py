"""A lecture hall: `scripts/serve.sh` (Streamlit replicas behind Debian's HAProxy), real processes only.

- the HAProxy configuration the script renders is accepted by the installed HAProxy;
- the virtual classroom (bench/bench_class.py) speaks Streamlit's protocol through the proxy: its students land on
  different replicas and every run finishes;
- real Chromium through the proxy: two students land on different replicas (HAProxy's SN_REPLICA cookie, checked
  against the proxy's own per-replica session counts); a killed replica is restarted and taken back;
- a CSV uploads and trains through the proxy; once its replica is killed the page reloads on the other one with the
  setup from the URL, says the uploaded file is gone, and trains again.

Run with `python -m pytest -q tests/test_replicas.py`. Like tests/test_browser.py these fail (never skip) when
Chromium or HAProxy is missing: scripts/test.sh installs both. No wall-clock assertions: every wait is on a condition.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess

import psutil
import pytest

from bench import bench_class
from tests.browser_support import (
    ARTIFACTS,
    ROOT,
    errors,
    exceptions,
    iteration,
    new_page,
    poll,
    screenshot,
    wait_idle,
    wait_iteration,
)
from tests.serving import Served, run_async, serve_replicas
from tests.test_browser import (
    PLAY,
    button,
    data_set,
    go_via_sidebar,
    open_app,
    slider_value,
    upload,
    wait_paused,
    write_csv,
)

SERVE = ROOT / "scripts" / "serve.sh"
HAPROXY = "/usr/sbin/haproxy"
AFFINITY = bench_class.AFFINITY_COOKIE
GONE = "An uploaded file is kept only by the server that received it"
LONG_RUN = "Neural_network?iters=10000"  # 40 s at 1×: still playing when the test presses Pause


# --- fixtures ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served():
    with serve_replicas(2) as s:
        yield s
        print(s.log())  # HAProxy's warnings and serve.sh's notes, shown when a test failed


def replica_of(page) -> str:
    """The replica HAProxy pinned this browser context to (its SN_REPLICA cookie)."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return cookies.get(AFFINITY, "")


def open_sessions(served: Served) -> dict[str, int]:
    """Open connections per replica, as HAProxy counts them: an open page holds one websocket."""
    return {name: int(s["scur"] or 0) for name, s in served.stats().items()}


def kill_replica(served: Served, name: str) -> int:
    """SIGKILL one replica (a crash, not a clean stop); it must be a process this test's serve.sh started."""
    pid = next(r.pid for r in served.replicas() if r.name == name)
    assert pid and pid in {p.pid for p in psutil.Process(served.proc.pid).children(recursive=True)}
    os.kill(pid, signal.SIGKILL)
    return pid


# --- the configuration -----------------------------------------------------------------------------------------
@pytest.mark.browser  # runs the installed HAProxy
def test_rendered_config_is_valid_haproxy(tmp_path):
    """The multi-machine form (README): remote replicas, every one with a health check and its own cookie."""
    out = subprocess.run(["bash", str(SERVE), "--print-config", "--bind", "0.0.0.0", "--port", "80",
                          "--backends", "10.0.0.11:8502,10.0.0.11:8503,10.0.0.12:8502"],
                         capture_output=True, text=True, check=True).stdout
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(out)
    check = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    servers = re.findall(r"^\s*server (\S+) (\S+) check cookie (\S+)$", out, re.M)
    assert servers == [("r1", "10.0.0.11:8502", "r1"), ("r2", "10.0.0.11:8503", "r2"),
                       ("r3", "10.0.0.12:8502", "r3")]
    assert re.search(r"^\s*bind 0\.0\.0\.0:80$", out, re.M)
    assert "@" not in re.sub(r"#.*", "", out)  # every placeholder filled


@pytest.mark.parametrize("args", [["--replicas", "0"], ["--port", "x"], ["--no-proxy", "--backends", "a:1"],
                                  ["--backends", "nohostport"], ["--bogus"]])
def test_serve_sh_refuses_bad_options(args):
    out = subprocess.run(["bash", str(SERVE), *args, "--print-config"], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.startswith("serve.sh: "), (out.returncode, out.stderr)


# --- the virtual classroom's frame reader --------------------------------------------------------------------
LIVE_ID = "$$ID-0123abcd-sn_live_net"


def _component(payload: str, element_id: str = LIVE_ID, fragment: str = "frag1"):
    msg = bench_class.ForwardMsg()
    msg.delta.fragment_id = fragment
    msg.delta.new_element.bidi_component.id = element_id
    msg.delta.new_element.bidi_component.json = payload
    return msg


def test_frame_reader_reads_the_live_components_payload():
    p = '{"seq": 3, "state": "playing", "frames": [{"it": 5}, {"it": 10.0}, {"x": 1}]}'
    reading = bench_class.read_frames(_component(p))
    assert reading == bench_class.Reading(LIVE_ID, "frag1", {"seq": 3, "state": "playing", "frames": [
        {"it": 5}, {"it": 10.0}, {"x": 1}]}, [5, 10])
    assert bench_class.read_frames(_component('{"seq": 4, "state": "paused"}')).frames == []  # an answer, no frames
    markdown = bench_class.ForwardMsg()
    markdown.delta.new_element.markdown.body = "Iteration <b>1,234</b> / 2,000 · playing"
    for not_live in (markdown, _component("not json"), _component("[1, 2]"), bench_class.ForwardMsg(),
                     _component('{"frames": [{"it": 1}]}', element_id="$$ID-0123abcd-sn_units_net")):
        assert bench_class.read_frames(not_live) is None


# --- real processes --------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_virtual_class_through_the_proxy(served):
    """Two protocol students, one after the other: one per replica, both runs finish without errors."""
    target = bench_class.Target(served.base, served.replicas(), served.state_dir / "haproxy.sock")
    result = run_async(bench_class.run_class(target, 2, 200, spread_s=0.0, seed=0, replicas=2, open_concurrency=1))
    assert not result.errors(), result.errors()
    assert sorted(r.replica or "" for r in result.results) == ["r1", "r2"]
    for r in result.results:
        assert r.finish_s is not None and r.last_iteration == 200
        assert r.first_frame_s is not None and r.frames >= 2 and len(r.intervals) == r.frames - 1
        assert r.messages >= 2 and r.bytes > 0
    assert all(v > 0 for v in result.cpu_s.values()), result.cpu_s  # both replicas did the work


@pytest.mark.browser
def test_two_students_land_on_different_replicas(served, browser):
    alice, bob = new_page(browser), new_page(browser)
    try:
        poll(lambda: sum(open_sessions(served).values()) == 0, what="no open page on the replicas")
        open_app(alice, served.base, LONG_RUN)
        open_app(bob, served.base, LONG_RUN)
        a, b = replica_of(alice), replica_of(bob)
        assert {a, b} == {"r1", "r2"}, (a, b, served.stats())
        # HAProxy's own count agrees: one open page (websocket) on each replica
        poll(lambda: open_sessions(served) == {"r1": 1, "r2": 1}, what="one websocket per replica")
        for page in (alice, bob):
            page.click(PLAY)
        for page in (alice, bob):
            wait_iteration(page, lambda i: i >= 20, what="both runs to progress")
            page.click(PLAY)
            wait_paused(page)
            assert not exceptions(page), exceptions(page)
    finally:
        alice.context.close()
        bob.context.close()


@pytest.mark.browser
def test_a_killed_replica_is_restarted_and_taken_back(served):
    before = {r.name: r.pid for r in served.replicas()}
    kill_replica(served, "r1")
    poll(lambda: next(r.pid for r in served.replicas() if r.name == "r1") not in (0, before["r1"]),
         timeout=30, what="serve.sh to start r1 again")
    poll(lambda: served.stats()["r1"]["status"] == "UP" and served.stats()["r2"]["status"] == "UP",
         timeout=120, what="HAProxy to take r1 back")
    assert next(r.pid for r in served.replicas() if r.name == "r2") == before["r2"]
    assert served.proc.poll() is None
    assert "replica r1 restarted" in served.log()


@pytest.mark.browser
def test_upload_trains_through_the_proxy_and_a_killed_replica_fails_over(browser, tmp_path):
    with serve_replicas(2, extra_args=["--no-restart"]) as served:
        alice, bob = new_page(browser), new_page(browser)
        try:
            _upload_then_failover(served, alice, bob, tmp_path)
        finally:
            alice.context.close()
            bob.context.close()
            print(served.log())


def _upload_then_failover(served: Served, alice, bob, tmp_path) -> None:
    open_app(alice, served.base, LONG_RUN + "&hidden=4&lr=0.3")
    open_app(bob, served.base, LONG_RUN)
    gone, survivor = replica_of(alice), replica_of(bob)
    assert {gone, survivor} == {"r1", "r2"}, (gone, survivor, served.stats())

    # a CSV uploads (a PUT to Streamlit's upload endpoint, with its XSRF token) and trains, through the proxy
    csv = write_csv(tmp_path / "exam.csv")
    go_via_sidebar(alice, "Your_data")  # as a student does: the page links keep the session's settings
    upload(alice, csv)
    try:
        button(alice, "Use this data set on every page").click()
    except Exception as e:
        main = alice.locator("[data-testid=stMain]").inner_text(timeout=2000)[:1500]
        raise AssertionError(f"no 'Use' button at {alice.url} ({replica_of(alice)}); the page shows: {main!r}") from e
    poll(lambda: f"In use: {csv.name}" in alice.locator("[data-testid=stAlert]").first.inner_text(),
         what="'In use' notice")
    go_via_sidebar(alice, "Neural_network")
    assert data_set(alice) == "uploaded" and slider_value(alice, "Hidden units") == "4"
    alice.click(PLAY)
    wait_iteration(alice, lambda i: i >= 20, what="training on the upload through the proxy")
    alice.click(PLAY)
    wait_paused(alice)
    assert replica_of(alice) == gone and not exceptions(alice)
    url = alice.url
    assert all(p in url for p in ("data=uploaded", "hidden=4", "lr=0.3", "iters=10000")), url

    # alice's replica crashes; she reloads and lands on the other one
    kill_replica(served, gone)
    alice.reload()
    wait_idle(alice)
    assert replica_of(alice) == survivor
    main = alice.locator("[data-testid=stMain]").inner_text()
    assert "No uploaded data in this session" in main and GONE in main, main
    assert not exceptions(alice), exceptions(alice)
    assert slider_value(alice, "Hidden units") == "4"  # the sidebar; α sits with the plots, drawn once there is data
    alice.mouse.move(1300, 20)  # no hover tooltip in the pictures
    screenshot(alice, "failover_upload_gone_1366x768", ARTIFACTS)

    # she picks a data set: the restored setup trains on the surviving replica
    choose_data_set(alice, "xor")
    assert slider_value(alice, "Hidden units") == "4" and slider_value(alice, "Learning rate α") == "0.3"
    alice.click(PLAY)
    wait_iteration(alice, lambda i: i >= 20, what="training after the failover")
    alice.mouse.move(1300, 20)
    screenshot(alice, "failover_training_1366x768", ARTIFACTS)
    alice.click(PLAY)
    wait_paused(alice)
    assert not exceptions(alice) and not errors(alice), (exceptions(alice), errors(alice))

    # bob, on the surviving replica, never noticed
    assert replica_of(bob) == survivor and iteration(bob) == 0
    bob.click(PLAY)
    wait_iteration(bob, lambda i: i >= 20, what="bob's run on the surviving replica")
    assert not exceptions(bob), exceptions(bob)

    # HAProxy takes the dead replica out; its cookie no longer routes anywhere
    poll(lambda: served.stats()[gone]["status"].startswith("DOWN"), timeout=60, what=f"{gone} marked DOWN")
    assert served.stats()[survivor]["status"] == "UP"


def choose_data_set(page, value: str) -> None:
    box = page.locator("input[aria-label='Data set']")
    box.click()
    page.get_by_role("option", name=value, exact=True).click()
    wait_idle(page)
    poll(lambda: data_set(page) == value, what=f"data set {value}")
