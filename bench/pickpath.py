"""Pick routes: how close to the shortest walk, how much shorter than the order lines' own order, how fast.

A warehouse of 12 double-sided aisles × 30 bins (3 m between aisles, 1.2 m between bins, cross aisles at
both ends, the dock at the front corner). Random pick lists of 5-10 stops are compared with the exact
optimum (Held-Karp); lists of 30, 45 and 60 stops with the best tour a long solver run finds (OR-Tools
guided local search for --long-ms per instance). "Line order" visits the bins in the order the order lines
named them. Prints one line.

    python -m bench.pickpath [--instances 6] [--long-ms 3000] [--quick]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench import parse
from core.floor.routing import Spot, _solver_tour, distance_matrix, exact_tour, shortest_tour, tour_length

AISLES, POSITIONS = 12, 30


def warehouse_bins() -> list[Spot]:
    return [Spot(aisle * 3.0 + (0.6 if pos % 2 else -0.6), 2.0 + ((pos + 1) // 2) * 1.2, aisle)
            for aisle in range(1, AISLES + 1) for pos in range(1, POSITIONS + 1)]


def instance(rng: random.Random, bins: list[Spot], stops: int) -> list[Spot]:
    return [Spot(0.0, 0.0, 0), *rng.sample(bins, stops)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=6, help="random pick lists per size")
    parser.add_argument("--long-ms", type=int, default=3000, help="solver time for the best-known tour")
    args = parse(parser, instances=1, long_ms=100)
    rng, bins = random.Random(2026), warehouse_bins()
    gaps, savings = [], []
    small_worst, solve_60 = 1.0, []
    for stops in (5, 8, 10, 30, 45, 60):
        for _ in range(args.instances if stops <= 10 else max(2, args.instances // 2)):
            spots = instance(rng, bins, stops)
            started = time.perf_counter()
            matrix = distance_matrix(spots)
            ours = tour_length(matrix, shortest_tour(matrix))
            took = time.perf_counter() - started
            best = tour_length(matrix, exact_tour(matrix) if stops <= 10 else _solver_tour(matrix, args.long_ms))
            best = min(best, ours)  # the long run is a best known, not a proven optimum
            line_order = tour_length(matrix, [*range(len(spots)), 0])
            gaps.append(ours / best)
            savings.append(1 - ours / line_order)
            if stops <= 10:
                small_worst = max(small_worst, ours / best)
            if stops == 60:
                solve_60.append(took * 1000)
    print(f"pickpath: route ≤ {max(gaps):.3f} × optimum/best known (≤10 stops {small_worst:.3f}, mean "
          f"{statistics.mean(gaps):.3f}); {statistics.mean(savings):.0%} shorter than line order "
          f"(least {min(savings):.0%}); 60 stops solved in {max(solve_60):.0f} ms (target ≤ 1.05, ≥ 30%, < 200 ms)")


if __name__ == "__main__":
    main()
