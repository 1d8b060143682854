"""A virtual classroom: N students open the Neural network page and press Play within 1 s — without N browsers.

    python -m bench.bench_class --students 10 30 60 --replicas 1 2     # serve.sh with 1, then 2 replicas
    python -m bench.bench_class --students 30 --replicas 2 --find-max  # + bisect for the largest N meeting the bar
    python -m bench.bench_class --students 5 --url http://127.0.0.1:8501 [--state-dir DIR]   # a running server
    python -m bench.bench_class ... --readme                           # write the tables into bench/README.md
    python -m bench.bench_class --lesson --students 30 --replicas 2    # a class: push, play, report (class_lesson.py)

Each student is a browser tab without the browser (bench/class_client.py): it speaks Streamlit's websocket
protocol, opens the page, and plays the live view as live.js does: Play, then "need" requests for more frames
whenever under 0.6 s of playback is buffered, frames shown at the payload's rate in wall time, until "finished".

Per student: time to open the page, time from Play to the first frame on screen, the intervals between frames
shown (the browser's playback) and between messages carrying frames, the time from Play to the last frame on
screen against nominal, bytes received during the run, errors. Per replica: CPU seconds (psutil) and memory over
the run; HAProxy's CPU and bytes out; this client's own CPU (it shares the machine with the servers).

The bar ("meets"): every run finishes within 1.5× its nominal time (iterations / (250/s at 1×)) and the p95 of
all frame intervals is ≤ 0.5 s. Bounded: loopback only, a hard timeout per class, everything closed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import functools
import json
import os
import platform
import random
import statistics
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.class_client import (
    AFFINITY_COOKIE,
    PAGE,
    ForwardMsg,
    Reading,
    Student,
    StudentResult,
    read_frames,
)
from scratchnet.ui import params as S
from tests.serving import Replica, haproxy_stats, listening_pid, serve_replicas

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["AFFINITY_COOKIE", "ForwardMsg", "Reading", "read_frames", "run_class", "Target"]
FINISH_FACTOR, P95_INTERVAL_S = 1.5, 0.5  # the bar
OPEN_CONCURRENCY = 6  # students opening the page at once (a class trickles in; the bar is about Play)


# --- the servers being measured ------------------------------------------------------------------------------
@dataclass
class Target:
    base: str
    replicas: list[Replica]  # empty when unknown (a remote server): no CPU figures then
    sock: Path | None  # HAProxy's stats socket, when there is one

    def cpu(self) -> dict[str, float]:
        out = {}
        for r in self.replicas:
            with contextlib.suppress(psutil.Error):
                t = psutil.Process(r.pid).cpu_times()
                out[r.name] = t.user + t.system
        return out

    def rss_mb(self) -> dict[str, float]:
        out = {}
        for r in self.replicas:
            with contextlib.suppress(psutil.Error):
                out[r.name] = psutil.Process(r.pid).memory_info().rss / 2**20
        return out

    def proxy_bytes_out(self) -> int | None:
        if self.sock is None:
            return None
        return sum(int(s.get("bout") or 0) for s in haproxy_stats(self.sock).values())

    def proxy_cpu(self) -> float | None:
        if self.sock is None:
            return None
        pid_file = self.sock.parent / "haproxy.pid"
        with contextlib.suppress(OSError, ValueError, psutil.Error):
            t = psutil.Process(int(pid_file.read_text())).cpu_times()
            return t.user + t.system
        return None


def read_replicas(state_dir: Path) -> list[Replica]:
    rows = [line.split("\t") for line in (state_dir / "replicas.tsv").read_text().splitlines() if line]
    return [Replica(n, h, int(p), int(pid)) for n, h, p, pid in rows]


def listening_streamlit(base: str) -> list[Replica]:
    """A plain `streamlit run` on this machine serving `base` (for --url without --state-dir)."""
    port = urllib.parse.urlsplit(base).port or 0
    pid = listening_pid(port)  # by its listening socket: a server may have been given port 0
    return [] if pid is None else [Replica("server", "127.0.0.1", port, pid)]


@contextlib.contextmanager
def target_for(replicas: int | None, url: str | None, state_dir: Path | None,
               store: str | None = None) -> Iterator[Target]:
    if url:
        if urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("bench_class only loads loopback servers (127.0.0.1)")
        reps = read_replicas(state_dir) if state_dir else listening_streamlit(url)
        sock = state_dir / "haproxy.sock" if state_dir and (state_dir / "haproxy.sock").exists() else None
        yield Target(url.rstrip("/"), reps, sock)
        return
    with serve_replicas(replicas or 1, extra_args=["--store", store] if store else None) as served:
        yield Target(served.base, served.replicas(), served.state_dir / "haproxy.sock")


# --- one class --------------------------------------------------------------------------------------------------
@dataclass
class ClassResult:
    students: int
    replicas: int
    nominal_s: float
    results: list[StudentResult]
    cpu_s: dict[str, float]  # per replica, over the run (Play → last finished)
    window_s: float
    rss_mb_per_student: float | None
    proxy_cpu_s: float | None
    proxy_bytes: int | None
    client_cpu_s: float
    timed_out: int
    machine_busy_s: float  # every core's busy time over the run, whoever used it
    steal_s: float  # time the hypervisor gave our cores to other guests
    load: float  # 1-minute load average at the end
    health_s: list[float]  # the replicas' /_stcore/health latencies sampled during the run (event-loop lag)

    def others_s(self) -> float:
        """CPU used during the run by processes other than the replicas, HAProxy and this client."""
        return self.machine_busy_s - sum(self.cpu_s.values()) - (self.proxy_cpu_s or 0.0) - self.client_cpu_s

    def finish(self) -> list[float]:
        return [r.finish_s for r in self.results if r.finish_s is not None]

    def intervals(self) -> list[float]:
        return [x for r in self.results for x in r.intervals]

    def msg_intervals(self) -> list[float]:
        return [x for r in self.results for x in r.msg_intervals]

    def errors(self) -> list[str]:
        return [e for r in self.results for e in r.errors]

    def meets(self) -> bool:
        fin, iv = self.finish(), self.intervals()
        return (len(fin) == self.students and not self.errors() and max(fin) <= FINISH_FACTOR * self.nominal_s
                and bool(iv) and pct(iv, 0.95) <= P95_INTERVAL_S)


def pct(xs: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of xs."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * len(s) + 0.5) - 1))]


def busy(t) -> float:
    """Busy CPU seconds (all cores) in a psutil.cpu_times() sample."""
    return t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)


def client_cpu() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system


async def health_latency(replica: Replica) -> float:
    """Seconds for one GET /_stcore/health straight to a replica: its event loop's lag (the loop that also reads
    every student's messages and sends every frame)."""
    t0 = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(replica.host, replica.port), 30)
    try:
        writer.write(f"GET /_stcore/health HTTP/1.0\r\nHost: {replica.host}\r\n\r\n".encode())
        await writer.drain()
        await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    return time.perf_counter() - t0


async def sample_health(target: Target, out: dict[str, list[float]], every_s: float = 0.5) -> None:
    """Until cancelled: each replica's health latency every `every_s`."""
    while True:
        for r in target.replicas:
            with contextlib.suppress(OSError, TimeoutError):
                out.setdefault(r.name, []).append(await health_latency(r))
        await asyncio.sleep(every_s)


async def settle(target: Target, seconds: float = 15.0) -> None:
    """Wait (bounded) until the replicas are idle, so one class does not start in the last one's tail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        c0 = sum(target.cpu().values())
        await asyncio.sleep(0.5)
        if sum(target.cpu().values()) - c0 < 0.05 * max(1, len(target.replicas)):
            return


async def run_class(target: Target, n: int, iterations: int, spread_s: float, seed: int, replicas: int,
                    open_concurrency: int = OPEN_CONCURRENCY) -> ClassResult:
    query = "" if iterations == S.DEFAULTS["iters"] else f"iters={iterations}"
    nominal = iterations / S.iterations_per_second(str(S.DEFAULTS["speed"]))
    hard_timeout = 10 * nominal + 30.0
    students = [Student(target.base, query) for _ in range(n)]
    gate = asyncio.Semaphore(open_concurrency)

    async def open_one(s: Student) -> None:
        async with gate:
            try:
                await s.open()
            except Exception as err:  # noqa: BLE001
                s.result.errors.append(f"could not open the page: {err!r}")
                s.done.set()

    try:
        await settle(target)
        rss0 = target.rss_mb()
        await asyncio.gather(*(open_one(s) for s in students))
        await settle(target, 5.0)
        cpu0, proxy0, bytes0, me0, sys0 = (target.cpu(), target.proxy_cpu(), target.proxy_bytes_out(), client_cpu(),
                                           psutil.cpu_times())
        t0 = time.perf_counter() + 0.2
        offsets = sorted(random.Random(seed).uniform(0, spread_s) for _ in students)

        async def press(s: Student, offset: float) -> None:
            await asyncio.sleep(max(0.0, t0 + offset - time.perf_counter()))
            if s.ws is not None and not s.done.is_set():
                await s.press_play()

        lags: dict[str, list[float]] = {}
        sampler = asyncio.create_task(sample_health(target, lags))
        try:
            await asyncio.gather(*(press(s, o) for s, o in zip(students, offsets, strict=True)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(s.done.wait() for s in students)), hard_timeout)
            window = time.perf_counter() - t0
        finally:
            sampler.cancel()
        cpu1, proxy1, me1, sys1 = target.cpu(), target.proxy_cpu(), client_cpu(), psutil.cpu_times()
        rss2 = target.rss_mb()  # every session still open, each holding its finished run
    finally:
        await asyncio.gather(*(s.close() for s in students))
    bytes1 = target.proxy_bytes_out()  # HAProxy counts a websocket's bytes when it closes
    timed_out = 0
    for s in students:
        if s.result.finish_s is None and not s.result.errors:
            s.result.errors.append(f"not finished after {hard_timeout:.0f} s (iteration {s.view.shown()})")
            timed_out += 1
    grown = [rss2[k] - rss0[k] for k in rss2 if k in rss0]
    return ClassResult(
        students=n, replicas=replicas, nominal_s=nominal, results=[s.result for s in students],
        cpu_s={k: cpu1[k] - cpu0[k] for k in cpu1 if k in cpu0}, window_s=window,
        rss_mb_per_student=sum(grown) / n if grown else None,
        proxy_cpu_s=None if proxy0 is None or proxy1 is None else proxy1 - proxy0,
        proxy_bytes=None if bytes0 is None or bytes1 is None else bytes1 - bytes0,
        client_cpu_s=me1 - me0, timed_out=timed_out, machine_busy_s=busy(sys1) - busy(sys0),
        steal_s=getattr(sys1, "steal", 0.0) - getattr(sys0, "steal", 0.0), load=os.getloadavg()[0],
        health_s=[x for v in lags.values() for x in v],
    )


# --- reporting -------------------------------------------------------------------------------------------------
def fmt(x: float | None, spec: str = ".2f") -> str:
    return "—" if x is None else format(x, spec)


def describe(c: ClassResult) -> dict[str, object]:
    fin, iv, mv = c.finish(), c.intervals(), c.msg_intervals()
    first = [r.first_frame_s for r in c.results if r.first_frame_s is not None]
    opened = [r.open_s for r in c.results if r.open_s is not None]
    nbytes = [r.bytes for r in c.results if r.finish_s is not None]
    per_replica: dict[str, int] = {}
    for r in c.results:
        per_replica[r.replica or "?"] = per_replica.get(r.replica or "?", 0) + 1
    cpu_total = sum(c.cpu_s.values())
    return {
        "students": c.students, "replicas": c.replicas, "meets": c.meets(),
        "finish_p50": statistics.median(fin) if fin else None, "finish_max": max(fin) if fin else None,
        "finish_ratio": max(fin) / c.nominal_s if fin else None,
        "first_p50": statistics.median(first) if first else None, "first_p95": pct(first, .95) if first else None,
        "interval_p50": statistics.median(iv) if iv else None, "interval_p95": pct(iv, .95) if iv else None,
        "msg_interval_p50": statistics.median(mv) if mv else None, "msg_interval_p95": pct(mv, .95) if mv else None,
        "frames_p50": statistics.median([r.frames for r in c.results]),
        "messages_p50": statistics.median([r.messages for r in c.results]),
        "open_p95": pct(opened, .95) if opened else None,
        "bytes_p50": statistics.median(nbytes) if nbytes else None,
        "cpu_per_run": cpu_total / c.students if c.cpu_s else None,
        "cpu_load": {k: v / c.window_s for k, v in c.cpu_s.items()},  # cores busy, per replica
        "proxy_cpu": c.proxy_cpu_s,
        "proxy_bytes_per_run": None if c.proxy_bytes is None else c.proxy_bytes / c.students,
        "client_cpu": c.client_cpu_s, "rss_mb_per_student": c.rss_mb_per_student,
        "per_replica": per_replica, "errors": len(c.errors()), "error_samples": sorted(set(c.errors()))[:3],
        "window_s": c.window_s, "others_load": c.others_s() / c.window_s, "steal": c.steal_s / c.window_s,
        "load": c.load, "health_p95": pct(c.health_s, .95) if c.health_s else None,
        "health_max": max(c.health_s) if c.health_s else None,
    }


TABLE_HEAD = ("| replicas | students | meets | finish p50 / max (s) | max ÷ nominal | ÷ alone | first frame p50 / p95 "
              "(s) | frame interval p50 / p95 (s) | message interval p50 / p95 (s) | frames / messages per run | "
              "server CPU / run (s) | replica load (cores) | "
              "students per replica | KB / run | replica event-loop lag p95 / max (s) | client CPU (s) | "
              "others' load (cores) | errors |")


def table(rows: list[dict], alone: dict[int, dict]) -> list[str]:
    lines = [TABLE_HEAD, "|" + "---|" * (TABLE_HEAD.count("|") - 1)]
    for d in rows:
        base = alone.get(d["replicas"])
        vs_alone = (d["finish_max"] / base["finish_max"]) if base and base["finish_max"] and d["finish_max"] else None
        load = " / ".join(f"{v:.2f}" for v in d["cpu_load"].values()) or "—"
        spread = " / ".join(f"{d['per_replica'][k]}" for k in sorted(d["per_replica"]))
        lines.append(
            f"| {d['replicas']} | {d['students']} | {'yes' if d['meets'] else '**no**'} | "
            f"{fmt(d['finish_p50'])} / {fmt(d['finish_max'])} | {fmt(d['finish_ratio'])} | {fmt(vs_alone)} | "
            f"{fmt(d['first_p50'])} / {fmt(d['first_p95'])} | {fmt(d['interval_p50'])} / {fmt(d['interval_p95'])} | "
            f"{fmt(d['msg_interval_p50'])} / {fmt(d['msg_interval_p95'])} | "
            f"{d['frames_p50']:.0f} / {d['messages_p50']:.0f} | {fmt(d['cpu_per_run'])} | {load} | {spread} | "
            f"{fmt(None if d['bytes_p50'] is None else d['bytes_p50'] / 1e3, '.0f')} | "
            f"{fmt(d['health_p95'])} / {fmt(d['health_max'])} | {fmt(d['client_cpu'], '.1f')} | "
            f"{d['others_load']:.2f} | {d['errors']} |")
    return lines


README_BEGIN, README_END = "<!-- bench_class:begin -->", "<!-- bench_class:end -->"


def write_readme(lines: list[str]) -> None:
    """Replace the generated block of bench/README.md's classroom section (the prose around it is hand-written)."""
    path = ROOT / "bench" / "README.md"
    text = path.read_text()
    block = "\n".join([README_BEGIN, *lines, README_END])
    if README_BEGIN in text and README_END in text:
        start, end = text.index(README_BEGIN), text.index(README_END) + len(README_END)
        text = text[:start] + block + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n## Virtual classroom (bench/bench_class.py)\n\n" + block + "\n"
    path.write_text(text)


# --- main ---------------------------------------------------------------------------------------------------------
async def measure(args: argparse.Namespace) -> tuple[list[dict], dict[int, dict], dict[int, int | None]]:
    rows: list[dict] = []
    alone: dict[int, dict] = {}
    largest: dict[int, int | None] = {}
    configs = [None] if args.url else args.replicas
    for replicas in configs:
        with target_for(replicas, args.url, args.state_dir) as target:
            r = replicas or len(target.replicas) or 1
            print(f"--- {r} replica(s) at {target.base}: {', '.join(f'{x.name}:{x.port}' for x in target.replicas)}",
                  flush=True)
            await run_class(target, 1, args.iterations, 0.0, args.seed, r)  # warm-up: imports, first runs
            alone[r] = describe(await run_class(target, 1, args.iterations, 0.0, args.seed, r))
            print(f"alone: finish {fmt(alone[r]['finish_max'])} s, interval p95 {fmt(alone[r]['interval_p95'])} s, "
                  f"cpu/run {fmt(alone[r]['cpu_per_run'])} s", flush=True)
            results: dict[int, bool] = {}
            one = functools.partial(one_class, target, args, r, rows, results)
            for n in args.students:
                await one(n)
            if args.find_max:
                largest[r] = await bisect(one, results, args.resolution, args.max_students)
                print(f"largest N meeting the bar with {r} replica(s): {largest[r]}", flush=True)
    return rows, alone, largest


async def one_class(target: Target, args: argparse.Namespace, replicas: int, rows: list[dict],
                    results: dict[int, bool], n: int) -> bool:
    """Run a class of n, record its row and whether it meets the bar."""
    d = describe(await run_class(target, n, args.iterations, args.spread, args.seed + n, replicas))
    rows.append(d)
    results[n] = bool(d["meets"])
    print(json.dumps(d, default=str), flush=True)
    return results[n]


async def bisect(one, results: dict[int, bool], resolution: int, ceiling: int) -> int | None:
    """Largest N (to `resolution`) that meets the bar, from the grid's results; probes further classes."""
    passing = [n for n, ok in results.items() if ok]
    failing = [n for n, ok in results.items() if not ok]
    lo = max(passing, default=0)
    hi = min([n for n in failing if n > lo], default=None)
    while hi is None and lo < ceiling:  # everything passed so far: double until something fails
        n = min(ceiling, lo * 2 if lo else resolution)
        hi = None if await one(n) else n
        lo = n if hi is None else lo
    if hi is None:
        return lo
    while hi - lo > resolution:
        mid = max(lo + 1, (lo + hi) // 2 // resolution * resolution or (lo + hi) // 2)
        if mid in (lo, hi):
            break
        if await one(mid):
            lo = mid
        else:
            hi = mid
    return lo or None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, nargs="+", default=[10, 30, 60])
    ap.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--url", help="measure a running server (loopback) instead of starting serve.sh")
    ap.add_argument("--state-dir", type=Path, help="serve.sh's --state-dir, for CPU per replica with --url")
    ap.add_argument("--iterations", type=int, default=int(S.DEFAULTS["iters"]))
    ap.add_argument("--spread", type=float, default=1.0, help="all students press Play within this many seconds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--find-max", action="store_true", help="bisect for the largest N that meets the bar")
    ap.add_argument("--resolution", type=int, default=5)
    ap.add_argument("--max-students", type=int, default=240)
    ap.add_argument("--readme", action="store_true", help="write the table into bench/README.md")
    ap.add_argument("--lesson", action="store_true", help="a class: join, push, play, report (bench/class_lesson.py)")
    ap.add_argument("--store", help="with --lesson: the class store (default: a new SQLite file)")
    args = ap.parse_args()
    if args.lesson:
        from bench.class_lesson import lesson_main

        asyncio.run(lesson_main(args))
        return

    load = os.getloadavg()
    rows, alone, largest = asyncio.run(measure(args))
    machine = (f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC · {platform.platform()} · "
               f"{os.cpu_count()} CPUs · load before {load[0]:.2f}")
    nominal = args.iterations / S.iterations_per_second(str(S.DEFAULTS["speed"]))
    lines = [f"Measured {machine}. Default run: /{PAGE} ({args.iterations} iterations, nominal {nominal:.1f} s); "
             f"all students press Play within {args.spread:g} s. Bar: every run finishes within "
             f"{FINISH_FACTOR}× nominal ({FINISH_FACTOR * nominal:.1f} s) and p95 frame interval ≤ {P95_INTERVAL_S} s. "
             "÷ alone = slowest finish over one student's finish on the same replicas (same run).", "",
             *table(rows, alone)]
    alone_rows = [f"{r} replica(s), one student alone: finish {fmt(d['finish_max'])} s, frame interval p95 "
                  f"{fmt(d['interval_p95'])} s, server CPU/run {fmt(d['cpu_per_run'])} s, "
                  f"{fmt(None if d['bytes_p50'] is None else d['bytes_p50'] / 1e3, '.0f')} KB"
                  for r, d in alone.items()]
    lines += ["", *[f"- {x}" for x in alone_rows]]
    for r in sorted({d["replicas"] for d in rows}):
        mine = [d for d in rows if d["replicas"] == r]
        mem = [d["rss_mb_per_student"] for d in mine if d["rss_mb_per_student"] is not None]
        proxy = [d["proxy_cpu"] / d["students"] for d in mine if d["proxy_cpu"] is not None]
        pbytes = [d["proxy_bytes_per_run"] for d in mine if d["proxy_bytes_per_run"]]
        lines.append(f"- {r} replica(s): memory per open session after its run {fmt(max(mem) if mem else None, '.1f')} "
                     f"MB (largest class); HAProxy CPU per student {fmt(max(proxy) * 1e3 if proxy else None, '.0f')} "
                     f"ms, bytes through it per student (whole page session) "
                     f"{fmt(statistics.median(pbytes) / 1e3 if pbytes else None, '.0f')} KB")
    for r, n in largest.items():
        lines.append(f"- largest N meeting the bar with {r} replica(s) (bisected to {args.resolution}): **{n}**")
    errors = [(d["replicas"], d["students"], d["error_samples"]) for d in rows if d["errors"]]
    for r, n, samples in errors:
        lines.append(f"- errors at {r} replica(s), {n} students, e.g.: {'; '.join(samples)}")
    print("\n".join(lines))
    if args.readme:
        write_readme(lines)


if __name__ == "__main__":
    main()
