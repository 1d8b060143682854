"""Time one full-batch training iteration of the two-layer net, four ways, in the same run.

    python -m bench.bench_core            # the full table (about a minute)
    python -m bench.bench_core --quick    # fewer, shorter blocks

(a) ours, bare:   TwoLayerNet.forward → backward → θ -= α·g, through the public API
(b) ours, app:    TrainingRun.advance as the app drives it (test set of N/4, a Record per iteration
                  with loss, accuracy, test loss and gradient norms, a parameter snapshot every 10)
(c) sketch:       the seed tutorial's style: (h, N) layout, numpy backprop, but the output sigmoid
                  as a Python loop over z: `for i in t: arr.append(evaluate(i))`, evaluate = 1/(1+np.exp(-x))
(d) scikit-learn: MLPClassifier(solver="sgd", batch_size=N, momentum=0, ...) as in
                  tests/test_reference_sklearn.py, warm-started; fit(max_iter=K) time / K

Each figure is the median over ≥ 5 blocks of the per-iteration time within a block.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import math
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np

try:
    import resource  # POSIX only
except ImportError:
    resource = None

from scratchnet import TrainingRun, TwoLayerNet
from scratchnet.ui.server import set_malloc_thresholds  # the app's allocator switch (no Streamlit)

CONFIGS = ((200, 16), (1000, 16), (10000, 16), (1000, 64))
LR = 0.1


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy moons, standardised: 2 features."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, size=n)
    y = (np.arange(n) % 2).astype(np.float64)
    X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X = X + rng.normal(0, 0.2, size=X.shape)
    return (X - X.mean(0)) / X.std(0), y


def minor_faults() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else math.nan


def calibrate(run_block: Callable[[int], None], target: float) -> int:
    """How many iterations make a block of about `target` seconds."""
    k = 1
    while True:
        t0 = time.perf_counter()
        run_block(k)
        elapsed = time.perf_counter() - t0
        if elapsed >= target / 4 or k >= 1 << 16:
            break
        k *= 2
    return max(1, round(k * target / max(elapsed, 1e-9)))


def time_interleaved(
    runs: dict[str, Callable[[int], None]], blocks: int, target: float
) -> dict[str, tuple[float, float]]:
    """Median seconds per iteration and minor page faults per iteration for each run.

    The runs take turns block by block, so a change in machine load hits all of them alike and their
    ratios stay meaningful. A large page-fault count means the allocator hands back fresh mmap'd pages
    for temporary arrays (see bench/README.md).
    """
    lengths = {name: calibrate(run, target) for name, run in runs.items()}
    for name, run in runs.items():
        run(lengths[name])  # warm-up at the final length
    times: dict[str, list[float]] = {name: [] for name in runs}
    faults = dict.fromkeys(runs, 0.0)
    for _ in range(blocks):
        for name, run in runs.items():
            f0, t0 = minor_faults(), time.perf_counter()
            run(lengths[name])
            times[name].append((time.perf_counter() - t0) / lengths[name])
            faults[name] += (minor_faults() - f0) / lengths[name]
    return {name: (statistics.median(times[name]), faults[name] / blocks) for name in runs}


# --- (a) ours, bare step -----------------------------------------------------------------------------------
def bare_block(X: np.ndarray, y: np.ndarray, h: int) -> Callable[[int], None]:
    net = TwoLayerNet(X.shape[1], h, "relu", seed=0)

    def block(k: int) -> None:
        for _ in range(k):
            _, cache = net.forward(X)
            grads = net.backward(cache, y)
            for name, p in net.params.items():
                p -= LR * grads[name]

    return block


# --- (b) ours, as the app drives it ----------------------------------------------------------------------
def app_block(X: np.ndarray, y: np.ndarray, h: int) -> Callable[[int], None]:
    X_test, y_test = make_data(max(1, X.shape[0] // 4), seed=1)
    run = TrainingRun(TwoLayerNet(X.shape[1], h, "relu", seed=0), X, y, X_test, y_test, lr=LR)

    def block(k: int) -> None:
        if run.advance(k) != k:
            raise RuntimeError("the benchmark run diverged")

    return block


# --- (c) the tutorial sketch's style ---------------------------------------------------------------------
# Re-written here from the seed tutorial's sketch (not imported): its element-by-element sigmoid and its
# (h, N) backprop with np.mean / np.where, minus its bugs. One sigmoid pass per step, as in its gradients();
# its train loop also calls sigmoid a second time to log the loss, which this leaves out (a lower bound).
def sketch_sigmoid(t):
    def evaluate(x):
        e = np.exp(-x)
        return 1 / (1 + e)

    arra_to_return = []
    for i in t:
        arra_to_return.append(evaluate(i))
    return np.array(arra_to_return, dtype=np.float64)


def sketch_relu_prime(t):
    return np.where(t > 0, 1, 0)


def sketch_block(X: np.ndarray, y: np.ndarray, h: int) -> Callable[[int], None]:
    rng = np.random.default_rng(0)
    w1 = rng.normal(0, np.sqrt(2 / X.shape[1]), size=(h, X.shape[1]))
    b1 = np.zeros(h)
    w = rng.normal(0, np.sqrt(1 / h), size=(1, h))
    b = np.asarray(0.0)

    def block(k: int) -> None:
        nonlocal w1, b1, w, b
        for _ in range(k):
            a1 = w1 @ X.T + b1[:, None]  # (h, N)
            h1 = np.maximum(a1, 0)
            z = (w @ h1 + b)[0]  # (N,): the loop below runs once per example
            y_hat = sketch_sigmoid(z)[None, :]
            dl_dz = y_hat - y[None, :]  # (1, N)
            db = np.mean(dl_dz, axis=1)
            dw = np.mean(dl_dz * h1, axis=1, keepdims=True).T  # (1, h)
            dh1 = w.T @ dl_dz
            da1 = dh1 * sketch_relu_prime(a1)  # (h, N)
            db1 = np.mean(da1, axis=1)
            dw1 = (da1 @ X) / X.shape[0]
            w = w - LR * dw
            b = b - LR * db.squeeze()
            w1 = w1 - LR * dw1
            b1 = b1 - LR * db1

    return block


# --- (d) scikit-learn --------------------------------------------------------------------------------------
def sklearn_block(X: np.ndarray, y: np.ndarray, h: int) -> Callable[[int], None]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(h,), activation="relu", solver="sgd", batch_size=X.shape[0], momentum=0.0,
        nesterovs_momentum=False, alpha=0.0, learning_rate="constant", learning_rate_init=LR,
        shuffle=False, tol=0.0, n_iter_no_change=10**9, warm_start=True, max_iter=1, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)  # build the layers once

    def block(k: int) -> None:
        clf.max_iter = k
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)

    return block


def machine() -> list[str]:
    lines = [
        f"platform: {platform.platform()}; python {platform.python_version()}",
        f"cpu: {platform.processor() or platform.machine()}; os.cpu_count() = {os.cpu_count()}",
        f"numpy {np.__version__}",
    ]
    try:
        import sklearn

        lines[-1] += f", scikit-learn {sklearn.__version__}"
    except ImportError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        lines.append(f"numpy BLAS: {blas.get('name')} {blas.get('version', '')}".rstrip())
    except Exception:  # the layout of show_config differs between numpy versions
        pass
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            lines.append(
                f"threadpool: {pool.get('internal_api')} {pool.get('version')} "
                f"({pool.get('threading_layer', '')}), {pool.get('num_threads')} threads"
            )
    except ImportError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
        if model:
            lines[1] = lines[1].replace(platform.processor() or platform.machine(), model, 1)
    except OSError:
        pass
    return lines


def profile_step(n: int, h: int, repeat: int = 7, number: int = 200) -> None:
    """Where the bare step's time goes: each operation of forward/backward/update timed on its own."""
    import timeit

    from scratchnet import sigmoid

    X, y = make_data(n)
    net = TwoLayerNet(2, h, "relu", seed=0)
    p = net.params
    a1 = X @ p["W1"].T + p["b1"]
    h1 = np.maximum(a1, 0.0)
    z = h1 @ p["w2"] + p["b2"]
    delta = sigmoid(z) - y
    d_h1 = np.outer(delta, p["w2"])
    slope = net.activation.g_prime(a1)
    d_a1 = d_h1 * slope
    _, cache = net.forward(X)
    grads = net.backward(cache, y)
    ops = {
        "a1 = X @ W1.T": lambda: X @ p["W1"].T,
        "a1 + b1": lambda: a1 + p["b1"],
        "relu(a1)": lambda: net.activation.g(a1),
        "z = h1 @ w2 + b2": lambda: h1 @ p["w2"] + p["b2"],
        "sigmoid(z) - y": lambda: sigmoid(z) - y,
        "np.outer(delta, w2)": lambda: np.outer(delta, p["w2"]),
        "relu'(a1)": lambda: net.activation.g_prime(a1),
        "dL/dh1 * relu'(a1)": lambda: d_h1 * slope,
        "dW1 = dL/da1.T @ X / m": lambda: d_a1.T @ X / n,
        "db1 = mean(dL/da1, axis=0)": lambda: np.mean(d_a1, axis=0),
        "dw2 = h1.T @ delta / m": lambda: h1.T @ delta / n,
        "update θ -= α·g (4 tensors)": lambda: [q - LR * grads[k] for k, q in p.items()],
        "= forward()": lambda: net.forward(X),
        "= backward()": lambda: net.backward(cache, y),
    }
    print(f"\nprofile of the bare step at N={n}, h={h} (best of {repeat} × {number}):")
    for name, op in ops.items():
        best = min(timeit.repeat(op, number=number, repeat=repeat)) / number
        print(f"  {name:30s} {best * 1e6:7.1f} µs")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 blocks of ~20 ms instead of 7 of ~60 ms")
    parser.add_argument("--profile", action="store_true", help="also time each operation of the bare step")
    parser.add_argument("--threads", type=int, default=0, help="limit BLAS/OpenMP threads (0: as configured)")
    parser.add_argument(
        "--mmap-threshold", type=int, default=0, metavar="BYTES",
        help="diagnosis: glibc mallopt(M_MMAP_THRESHOLD, BYTES) before timing (0: allocator untouched)",
    )
    args = parser.parse_args()
    blocks, target = (5, 0.02) if args.quick else (7, 0.06)
    allocator = "glibc defaults"
    if args.mmap_threshold:
        ok = set_malloc_thresholds(args.mmap_threshold, 4 * args.mmap_threshold)
        allocator = f"mallopt(M_MMAP_THRESHOLD={args.mmap_threshold}) {'applied' if ok else 'FAILED'}"

    limiter = contextlib.nullcontext()
    if args.threads:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=args.threads)
    with limiter:
        run_all(blocks, target, allocator, args.threads)
        if args.profile:
            for n, h in ((1000, 16), (1000, 64)):
                profile_step(n, h)


def run_all(blocks: int, target: float, allocator: str, threads: int) -> None:
    print(f"# bench_core — {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    for line in machine():
        print(f"# {line}")
    print(f"# allocator: {allocator}; BLAS threads: {threads or 'as configured'}")
    print(f"# load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"# median of {blocks} interleaved blocks of ~{target * 1000:.0f} ms; µs per full-batch iteration")
    print()
    print(
        "| N | h | (a) ours bare | (b) ours app | (c) sketch | (d) sklearn | (a)/(d) | (b)/(d) | (c)/(a) "
        "| page faults/iter (a/b/c/d) |"
    )
    print("|" + "|".join(["---:"] * 10) + "|")
    factories = {"bare": bare_block, "app": app_block, "sketch": sketch_block, "sklearn": sklearn_block}
    results = {}
    for n, h in CONFIGS:
        X, y = make_data(n)
        timed = time_interleaved({name: make(X, y, h) for name, make in factories.items()}, blocks, target)
        t = {name: seconds for name, (seconds, _) in timed.items()}
        results[n, h] = t
        us = "".join(f" {t[k] * 1e6:.1f} |" for k in factories)
        a_d, b_d, c_a = t["bare"] / t["sklearn"], t["app"] / t["sklearn"], t["sketch"] / t["bare"]
        ratios = f" {a_d:.2f} | {b_d:.2f} | {c_a:.1f} |"
        faults = "/".join(f"{f:.0f}" for _, f in timed.values())
        print(f"| {n} | {h} |{us}{ratios} {faults} |", flush=True)

    print()
    for (n, h), t in results.items():
        if n <= 1000:
            ratio = t["bare"] / t["sklearn"]
            print(f"target (a) ≤ 0.5 × (d) at ({n}, {h}): {ratio:.2f} → {verdict(ratio <= 0.5)}")
    speedup = results[1000, 16]["sketch"] / results[1000, 16]["bare"]
    print(f"target (a) ≥ 4 × faster than (c) at (1000, 16): {speedup:.1f}× → {verdict(speedup >= 4)}")


if __name__ == "__main__":
    main()
