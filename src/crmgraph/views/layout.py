"""Node positions for the network views, computed once on the server so the browser never waits
for a physics simulation (vis-network's physics took ~25 s to settle 500 nodes; with positions
given and physics off, a 2,000-node view is drawn at once).

`force_layout` is Fruchterman–Reingold (repulsion between every pair, attraction along edges, a
weak pull to the centre so components stay together, a cooling step), written with numpy arrays.
networkx's `spring_layout` computes the same kind of layout but took 7 s (dense) to 12 s (scipy
sparse) for 2,000 nodes on the 2-core machines here; this one takes about 1 s, because it keeps x
and y in separate float32 arrays and reads the edges as index arrays instead of an adjacency matrix.
Deterministic: the same graph and seed give the same positions.

Plain Fruchterman–Reingold left the curated graph's opening view a hairball: hubs (the EU, the 2023 list,
Kazakhstan) and parallel links pulled half the nodes into a dense centre (540 overlapping pairs at the
explorer's opening fit, 1400×900). So: parallel links attract once; repulsion is weighted by
sqrt(degree + 1) of both ends (as ForceAtlas2 does), so hubs get room; then `even_out` keeps each node's
direction and the order of the distances from the centre but makes the density even (a disc), and
`separate` pushes apart the nodes still closer than ~0.9 of the even spacing. On the curated graph:
0 overlapping pairs, median distance to the nearest node 13 → 31 px at the opening fit
(main component fitted to the 740×770 px network pane of a 1400×900 window, as the explorer opens).
`separate` also gives big nodes more room: the explorer draws a node bigger the more links it has, so
the distance two nodes need grows with their sizes (the materials cluster's hubs stopped touching).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

#: Pixels per layout unit: positions are spread over about sqrt(n) × SPACING pixels.
SPACING = 80.0
#: Pull to the centre (× k): strong enough that the graph is one round shape, not a long thin one.
GRAVITY = 10.0
#: `separate` runs for views up to this many nodes (it is O(n²) per round).
SEPARATE_MAX_NODES = 1000


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
    unique = sorted({(min(a, b), max(a, b)) for a, b in edges if a != b})  # parallel links pull once
    pairs = np.array(unique, dtype=np.int64).reshape(-1, 2)
    src, dst = pairs[:, 0], pairs[:, 1]
    degree = np.bincount(pairs.ravel(), minlength=n).astype(np.float32)
    mass = np.sqrt(degree + 1)
    mass_pairs = mass[:, None] * mass[None, :]                    # hubs push harder: they get room
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
        force *= mass_pairs
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
        fx += (np.float32(0.5) - x) * (k * np.float32(GRAVITY))   # gravity: keeps components in view
        fy += (np.float32(0.5) - y) * (k * np.float32(GRAVITY))
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, np.float32(1e-9), out=length)
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature -= cooling
    x, y = even_out(x.astype(np.float64), y.astype(np.float64))
    if n <= SEPARATE_MAX_NODES:
        # the explorer draws a node bigger the more links it has (explorer.js nodeSize): room by size
        size = 6 + np.minimum(6, np.sqrt(np.bincount(pairs.ravel(), minlength=n)) * 0.9)
        x, y = separate(x, y, weights=size / size.mean())
    scale = SPACING * np.sqrt(n) / 2
    return [(round(float(a * scale), 1), round(float(b * scale), 1)) for a, b in zip(x, y)]


def even_out(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a disc of radius 1 with an even density: each node keeps its direction from the centre
    and its rank by distance, and the k-th closest of n goes to radius sqrt(k/n)."""
    n = len(x)
    dx, dy = x - np.median(x), y - np.median(y)
    r = np.sqrt(dx * dx + dy * dy)
    target = np.empty(n)
    target[np.argsort(r, kind="stable")] = np.sqrt((np.arange(n) + 0.5) / n)
    f = target / np.maximum(r, 1e-12)
    return dx * f, dy * f


def separate(x: np.ndarray, y: np.ndarray, rounds: int = 40, share: float = 0.9,
             weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Push apart every two nodes closer than `share` of the even spacing of n nodes in a unit disc, times
    the mean of their `weights` (their drawn sizes over the mean size: two big nodes need more room)."""
    n = len(x)
    d0 = share * np.sqrt(np.pi / n)
    if weights is not None:
        d0 = d0 * (weights[:, None] + weights[None, :]) / 2
    for _ in range(rounds):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        d = np.sqrt(dx * dx + dy * dy) + np.eye(n)
        push = np.clip(d0 - d, 0, None) / d * 0.25
        np.fill_diagonal(push, 0)
        x = x + (dx * push).sum(axis=1)
        y = y + (dy * push).sum(axis=1)
    return x, y
