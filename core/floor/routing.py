"""Walking routes through a warehouse: aisle-aware distances and a short round trip from the dock.

Shelves stand between aisles, so two bins in different aisles are not joined by a straight line: the
picker walks to the end of one aisle, along the cross aisle, and into the other. Our layout has a cross
aisle at the front (dock side) and one at the back of the racks; the shorter way round wins.

Up to EXACT_LIMIT stops the tour is solved exactly (Held-Karp dynamic programming, a few milliseconds).
Beyond that OR-Tools' routing solver builds a tour and improves it with guided local search for a fixed,
short time: it lands within a percent or two of the optimum on 30–60 stops (see bench/pickpath.py), which
a hand-written 2-opt does not reliably do, and the same solver also plans the delivery vehicles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

EXACT_LIMIT = 10
CROSS_AISLE_MARGIN = 1.0  # metres between the last bin of a rack and the cross aisle
SOLVER_MS = 150


@dataclass(frozen=True)
class Spot:
    x: float
    y: float
    aisle: int = 0  # 0: open floor (dock, receiving), reachable in a straight walk


@dataclass(frozen=True)
class Layout:
    front_y: float  # the cross aisle at the dock side of the racks
    back_y: float  # the cross aisle at the far side

    @classmethod
    def around(cls, spots: Sequence[Spot]) -> Layout:
        racked = [s.y for s in spots if s.aisle] or [0.0]
        return cls(min(racked) - CROSS_AISLE_MARGIN, max(racked) + CROSS_AISLE_MARGIN)

    def distance(self, a: Spot, b: Spot) -> float:
        dx = abs(a.x - b.x)
        if a.aisle == b.aisle or not a.aisle or not b.aisle:
            return dx + abs(a.y - b.y)
        via_front = (a.y - self.front_y) + (b.y - self.front_y)
        via_back = (self.back_y - a.y) + (self.back_y - b.y)
        return dx + min(via_front, via_back)


def distance_matrix(spots: Sequence[Spot]) -> list[list[float]]:
    layout = Layout.around(spots)
    return [[layout.distance(a, b) for b in spots] for a in spots]


def tour_length(matrix: Sequence[Sequence[float]], tour: Sequence[int]) -> float:
    return sum(matrix[a][b] for a, b in pairwise(tour))


def shortest_tour(matrix: Sequence[Sequence[float]], *, time_ms: int = SOLVER_MS) -> list[int]:
    """A round trip from node 0 through every node and back to 0, as a list starting and ending with 0."""
    n = len(matrix)
    if n <= 2:
        return [*range(n), 0] if n else []
    if n - 1 <= EXACT_LIMIT:
        return exact_tour(matrix)
    return _solver_tour(matrix, time_ms)


def exact_tour(matrix: Sequence[Sequence[float]]) -> list[int]:
    """Held-Karp: the optimal tour, for small n (time and memory grow as n²·2ⁿ)."""
    n = len(matrix)
    best: dict[tuple[int, int], tuple[float, int]] = {(1 << k, k): (matrix[0][k], 0) for k in range(1, n)}
    for size in range(2, n):
        for subset in combinations(range(1, n), size):
            bits = sum(1 << k for k in subset)
            for k in subset:
                prev = bits & ~(1 << k)
                best[(bits, k)] = min(
                    (best[(prev, m)][0] + matrix[m][k], m) for m in subset if m != k
                )
    full = (1 << n) - 2
    _, last = min((best[(full, k)][0] + matrix[k][0], k) for k in range(1, n))
    tour, bits = [0], full
    while last:
        tour.append(last)
        bits, last = bits & ~(1 << last), best[(bits, last)][1]
    tour.append(0)
    tour.reverse()
    return tour


# Two different first tours, each improved for half the time: guided local search now and then settles in a
# poor valley, rarely from both starts at once (measured in bench/pickpath.py: worst case 1.03 → 1.02).
STARTS = (routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
          routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC)


def _solver_tour(matrix: Sequence[Sequence[float]], time_ms: int) -> list[int]:
    centimetres = [[round(d * 100) for d in row] for row in matrix]
    tours = [_improved_tour(centimetres, start, max(1, time_ms // len(STARTS))) for start in STARTS]
    return min(tours, key=lambda tour: tour_length(matrix, tour))


def _improved_tour(centimetres: list[list[int]], start: int, time_ms: int) -> list[int]:
    manager = pywrapcp.RoutingIndexManager(len(centimetres), 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return centimetres[manager.IndexToNode(i)][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(cost))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = start
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(time_ms)
    solution = routing.SolveWithParameters(params)
    index, tour = routing.Start(0), []
    while not routing.IsEnd(index):
        tour.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return [*tour, 0]
