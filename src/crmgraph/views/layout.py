"""Node positions for the network views, computed once on the server so the browser never waits
for a physics simulation (vis-network's physics took ~25 s to settle 500 nodes; with positions
given and physics off, a 2,000-node view is drawn at once).

`force_layout` is Fruchterman–Reingold (repulsion between every pair, attraction along edges, a
weak pull to the centre so components stay together, a cooling step), written with numpy arrays.
networkx's `spring_layout` computes the same kind of layout but took 7 s (dense) to 12 s (scipy
sparse) for 2,000 nodes on the 2-core machines here; this one takes about 1 s, because it keeps x
and y in separate float32 arrays and reads the edges as index arrays instead of an adjacency matrix.
Deterministic: the same graph and seed give the same positions.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

#: Pixels per layout unit: positions are spread over about sqrt(n) × SPACING pixels.
SPACING = 80.0


def iterations_for(n: int) -> int:
    """Fewer passes for big graphs (each pass is O(n²)); small ones can afford to settle fully."""
    return 120 if n <= 500 else 80 if n <= 2000 else 40


def force_layout(n: int, edges: Sequence[tuple[int, int]], iterations: int | None = None,
                 seed: int = 7) -> list[tuple[float, float]]:
    """(x, y) in pixels for nodes 0…n-1 joined by `edges` (pairs of node indexes)."""
    if n == 0:
        return []
    if n == 1:
        return [(0.0, 0.0)]
    iterations = iterations_for(n) if iterations is None else iterations
    rng = np.random.default_rng(seed)
    x = rng.random(n, dtype=np.float32)
    y = rng.random(n, dtype=np.float32)
    pairs = np.array([(a, b) for a, b in edges if a != b], dtype=np.int64).reshape(-1, 2)
    src, dst = pairs[:, 0], pairs[:, 1]
    k = np.float32(1.0 / np.sqrt(n))  # the ideal distance between neighbours
    k2 = k * k
    temperature = np.float32(0.1)
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        force = dx * dx
        force += dy * dy
        force += np.float32(1e-6)
        np.divide(k2, force, out=force)            # repulsion k²/d, along the unit vector: k²/d² × delta
        fx = (dx * force).sum(axis=1)
        fy = (dy * force).sum(axis=1)
        del dx, dy, force
        if len(src):
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            pull = np.sqrt(ex * ex + ey * ey) / k      # attraction d²/k, along the unit vector: d/k × delta
            ax, ay = ex * pull, ey * pull
            fx -= np.bincount(src, ax, n).astype(np.float32)
            fx += np.bincount(dst, ax, n).astype(np.float32)
            fy -= np.bincount(src, ay, n).astype(np.float32)
            fy += np.bincount(dst, ay, n).astype(np.float32)
        fx += (np.float32(0.5) - x) * k                 # gravity: keeps separate components in view
        fy += (np.float32(0.5) - y) * k
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, np.float32(1e-9), out=length)
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature -= cooling
    scale = SPACING * np.sqrt(n)
    x = (x - x.mean()) * scale
    y = (y - y.mean()) * scale
    return [(round(float(a), 1), round(float(b), 1)) for a, b in zip(x, y)]
