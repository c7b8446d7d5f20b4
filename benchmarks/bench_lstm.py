"""LSTM layer benchmark: NumPy (reference_models) against PyTorch CPU on the same model.

1. Correctness, float64: `lstm_forward`/`lstm_backward` against ``torch.nn.LSTM`` (gate order
   and the two PyTorch biases mapped onto ours); prints the largest absolute differences of
   the hidden states and of every gradient, which must stay within 1e-6.
2. Throughput, float32, training step of the layer (forward + backward): hidden 512, input
   512, batch 128, 16 steps; tokens per second = batch * steps / seconds, on one core (one
   BLAS thread, ``torch.set_num_threads(1)``), each measured in a fresh child process;
   prints the NumPy / PyTorch ratio. Target: NumPy >= 5,000 tokens/s per core.

Needs ``pip install torch`` (a benchmark-only dependency; the package never imports it).
Usage: ``python benchmarks/bench_lstm.py [--repeats 20] [--native-openblas]``.
``--native-openblas`` unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for the NumPy child, so
OpenBLAS picks its kernel for this processor (some machines pin an older one).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

SIZES = dict(T=16, N=128, D=512, H=512)


def torch_to_ours(weight_ih, weight_hh, bias_ih, bias_hh):
    """Map PyTorch's (4H, D) weights in gate order (i, f, g, o) to ours: (D, 4H) in (i, f, o, g)."""
    H = weight_hh.shape[1]
    order = np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])
    return weight_ih[order].T.copy(), weight_hh[order].T.copy(), (bias_ih + bias_hh)[order], order


def check_against_torch() -> float:
    """Compare values and gradients in float64; return the largest absolute difference."""
    import torch

    from capeval.reference_models.recurrent import lstm_backward, lstm_forward

    torch.manual_seed(0)
    T, N, D, H = 7, 5, 6, 8
    lstm = torch.nn.LSTM(D, H).double()
    x = torch.randn(T, N, D, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(1, N, H, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(1, N, H, dtype=torch.float64, requires_grad=True)
    dh = torch.randn(T, N, H, dtype=torch.float64)
    out, _ = lstm(x, (h0, c0))
    (out * dh).sum().backward()

    p = {name: t.detach().numpy() for name, t in lstm.named_parameters()}
    Wx, Wh, b, order = torch_to_ours(p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"],
                                     p["bias_hh_l0"])
    h, cache = lstm_forward(x.detach().numpy(), h0.detach().numpy()[0], Wx, Wh, b,
                            c0=c0.detach().numpy()[0])
    dx, dh0, dWx, dWh, db, dc0 = lstm_backward(dh.numpy(), cache)
    grads = {name: t.grad.numpy() for name, t in lstm.named_parameters()}
    differences = {
        "h": np.abs(h - out.detach().numpy()).max(),
        "dx": np.abs(dx - x.grad.numpy()).max(),
        "dh0": np.abs(dh0 - h0.grad.numpy()[0]).max(),
        "dc0": np.abs(dc0 - c0.grad.numpy()[0]).max(),
        "dW_ih": np.abs(dWx - grads["weight_ih_l0"][order].T).max(),
        "dW_hh": np.abs(dWh - grads["weight_hh_l0"][order].T).max(),
        "db_ih": np.abs(db - grads["bias_ih_l0"][order]).max(),
        "db_hh": np.abs(db - grads["bias_hh_l0"][order]).max(),
    }
    for name, value in differences.items():
        print(f"  {name:6s} max |numpy - torch| = {value:.2e}")
    return float(max(differences.values()))


def time_numpy(repeats: int) -> float:
    """Return seconds per forward + backward of the float32 LSTM layer (median of repeats)."""
    from capeval.reference_models.recurrent import lstm_backward, lstm_forward

    rng = np.random.default_rng(0)
    T, N, D, H = SIZES["T"], SIZES["N"], SIZES["D"], SIZES["H"]
    x = rng.standard_normal((T, N, D), dtype=np.float32)
    h0 = np.zeros((N, H), np.float32)
    Wx = (rng.standard_normal((D, 4 * H)) / np.sqrt(D)).astype(np.float32)
    Wh = (rng.standard_normal((H, 4 * H)) / np.sqrt(H)).astype(np.float32)
    b = np.zeros(4 * H, np.float32)
    dh = rng.standard_normal((T, N, H), dtype=np.float32)
    times = []
    for _ in range(repeats + 2):
        start = time.perf_counter()
        _, cache = lstm_forward(x, h0, Wx, Wh, b)
        lstm_backward(dh, cache)
        times.append(time.perf_counter() - start)
    return float(np.median(times[2:]))


def time_torch(repeats: int) -> float:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    T, N, D, H = SIZES["T"], SIZES["N"], SIZES["D"], SIZES["H"]
    lstm = torch.nn.LSTM(D, H)
    x = torch.randn(T, N, D, requires_grad=True)
    dh = torch.randn(T, N, H)
    times = []
    for _ in range(repeats + 2):
        start = time.perf_counter()
        out, _ = lstm(x)
        out.backward(dh)
        times.append(time.perf_counter() - start)
    return float(np.median(times[2:]))


def child(kind: str, repeats: int, native: bool) -> float:
    """Time `kind` in a fresh process with one BLAS thread; return seconds per step."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    if native:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    output = subprocess.run([sys.executable, __file__, "--child", kind, "--repeats", str(repeats)],
                            env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output)["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--native-openblas", action="store_true")
    parser.add_argument("--child", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        timer = time_numpy if args.child == "numpy" else time_torch
        print(json.dumps({"seconds": timer(args.repeats)}))
        return
    print("correctness against torch.nn.LSTM (float64):")
    worst = check_against_torch()
    print(f"  worst difference {worst:.2e} ({'OK' if worst <= 1e-6 else 'FAILED'}, limit 1e-6)")
    tokens = SIZES["T"] * SIZES["N"]
    print(f"throughput, float32, one core, forward + backward, sizes {SIZES}:")
    rates = {}
    for kind in ("numpy", "torch"):
        seconds = child(kind, args.repeats, args.native_openblas and kind == "numpy")
        rates[kind] = tokens / seconds
        print(f"  {kind:5s}: {seconds * 1000:7.1f} ms per step, {rates[kind]:8.0f} tokens/s")
    verdict = "met" if rates["numpy"] >= 5000 else "NOT met"
    print(f"  numpy / torch = {rates['numpy'] / rates['torch']:.2f}; "
          f"target numpy >= 5000 tokens/s: {verdict}")
    if worst > 1e-6:
        sys.exit(1)


if __name__ == "__main__":
    main()
