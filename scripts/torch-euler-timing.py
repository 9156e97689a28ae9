#!/usr/bin/env python3
"""An independent PyTorch implementation of the reference library's Euler scheme for sheaf training, for timing only.

NOT the reference library (vicenbosca/neural-sheaf): written here from ../shared/reference/heads-and-training.md §2-§3 (the
update rule, the data generator, the He-normal weights, the random stalk order) for the paper's paraboloid task, MLP [2, 30, 1],
identity head, so that a PyTorch run of the same scheme can be timed beside `bench … train STEPS 300 THREADS`. It prints the final
forward-pass train MSE, which must equal the benchmark's for the same seeds if both implement the same scheme.
Needs python3-torch (Debian); nothing in the test suite or CI uses it.

  python3 scripts/torch-euler-timing.py [steps=100000] [threads=1] [weights_seed=42] [stalk_seed=0] [n_train=300]
"""
import sys
import time

import torch

steps, threads, weights_seed, stalk_seed, n = (int(a) for a in (sys.argv[1:] + ["100000", "1", "42", "0", "300"][len(sys.argv) - 1:])[:5])
torch.set_num_threads(threads)
f64 = torch.float64
alpha, beta, dt, hidden = 1.0, 1.0 / n, 0.005, 30

# Data: seed 42, X uniform on [-2, 2]^2 (n_train + 100 test columns), Y = x1^2 + x2^2 - 2/3 + N(0, 0.02^2); first n columns train.
torch.manual_seed(42)
X = torch.rand(2, n + 100, dtype=f64) * 4 - 2
Y = X[0:1] ** 2 + X[1:2] ** 2 - 2.0 / 3.0 + torch.randn(1, n + 100, dtype=f64) * 0.02
x, y = X[:, :n], Y[:, :n]

# He-normal weights, zero biases, layer by layer.
torch.manual_seed(weights_seed)
W1 = torch.randn(hidden, 2, dtype=f64) * (2.0 / 2) ** 0.5
W2 = torch.randn(1, hidden, dtype=f64) * (2.0 / hidden) ** 0.5
b1 = torch.zeros(hidden, 1, dtype=f64)
b2 = torch.zeros(1, 1, dtype=f64)

# Random stalks: the pre-activations first (z1, z2), then the post-activation a1; a0 = x is pinned.
torch.manual_seed(stalk_seed)
z1 = torch.randn(hidden, n, dtype=f64)
z2 = torch.randn(1, n, dtype=f64)
a1 = torch.randn(hidden, n, dtype=f64)


def mse(W1, b1, W2, b2):
    return ((W2 @ torch.relu(W1 @ x + b1) + b2 - y) ** 2).mean().item()


wall0, cpu0 = time.perf_counter(), time.process_time()
with torch.no_grad():
    for _ in range(steps):
        # Every force from the old state; batch sums for the weights.
        r1 = W1 @ x + b1 - z1
        r2 = W2 @ a1 + b2 - z2
        m = (z1 >= 0).to(f64)
        z1n = z1 + alpha * dt * (r1 - m * (z1 - a1))
        z2n = z2 + alpha * dt * (r2 - (z2 - y))
        a1n = a1 + alpha * dt * (-(a1 - m * z1) - W2.T @ r2)
        W1 = W1 - dt * beta * (r1 @ x.T)
        b1 = b1 - dt * beta * r1.sum(dim=1, keepdim=True)
        W2 = W2 - dt * beta * (r2 @ a1.T)
        b2 = b2 - dt * beta * r2.sum(dim=1, keepdim=True)
        z1, z2, a1 = z1n, z2n, a1n
wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
print(f"independent PyTorch {torch.__version__} script (not the reference library): paraboloid [2, {hidden}, 1], {n} samples, "
      f"{steps} Euler steps, {threads} thread(s): wall {wall:.2f} s, CPU {cpu:.2f} s, final train MSE {mse(W1, b1, W2, b2)!r}")
