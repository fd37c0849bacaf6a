"""Walking distances and pick routes, as pure decisions: no database, no server."""

from __future__ import annotations

import random
from itertools import permutations

import pytest

from core.floor.routing import (
    CROSS_AISLE_MARGIN,
    EXACT_LIMIT,
    Layout,
    Spot,
    distance_matrix,
    exact_tour,
    shortest_tour,
    tour_length,
)

RACKS = Layout(front_y=0.0, back_y=20.0)  # cross aisles at y=0 (dock side) and y=20


def _is_round_trip(tour: list[int], n: int) -> bool:
    return tour[0] == tour[-1] == 0 and sorted(tour[1:-1]) == list(range(1, n))


def _brute_force(matrix: list[list[float]]) -> float:
    n = len(matrix)
    return min(tour_length(matrix, [0, *order, 0]) for order in permutations(range(1, n)))


def test_within_one_aisle_the_walk_is_straight_along_it():
    assert RACKS.distance(Spot(3, 4, aisle=1), Spot(3, 15, aisle=1)) == 11


def test_between_aisles_near_the_dock_the_picker_goes_round_by_the_front():
    # 2 m down to the front cross aisle, 4 m across, 3 m up: not the 1 m a straight line would suggest
    assert RACKS.distance(Spot(0, 2, aisle=1), Spot(4, 3, aisle=2)) == 2 + 4 + 3


def test_between_aisles_near_the_far_end_the_picker_goes_round_by_the_back():
    assert RACKS.distance(Spot(0, 18, aisle=1), Spot(4, 17, aisle=2)) == 2 + 4 + 3


def test_halfway_down_both_ways_round_are_equal_and_either_is_taken():
    assert RACKS.distance(Spot(0, 10, aisle=1), Spot(4, 10, aisle=2)) == 10 + 4 + 10


def test_open_floor_is_crossed_straight_whatever_aisle_the_other_end_is_in():
    dock = Spot(0, -3)
    assert RACKS.distance(dock, Spot(6, 5, aisle=3)) == 6 + 8
    assert RACKS.distance(Spot(6, 5, aisle=3), dock) == 6 + 8


def test_the_cross_aisles_lie_just_beyond_the_first_and_last_racked_bins():
    layout = Layout.around([Spot(0, -10), Spot(1, 2, aisle=1), Spot(2, 9, aisle=2)])  # the dock does not count
    assert layout == Layout(2 - CROSS_AISLE_MARGIN, 9 + CROSS_AISLE_MARGIN)


def test_distances_are_symmetric_and_zero_to_the_same_spot():
    rng = random.Random(7)
    spots = [Spot(rng.uniform(0, 30), rng.uniform(0, 20), rng.randint(0, 4)) for _ in range(12)]
    matrix = distance_matrix(spots)
    assert all(matrix[i][i] == 0 for i in range(12))
    assert all(matrix[i][j] == pytest.approx(matrix[j][i]) for i in range(12) for j in range(12))


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_routes_need_no_search(n: int):
    matrix = [[0.0] * n for _ in range(n)]
    assert shortest_tour(matrix) == ([] if n == 0 else [*range(n), 0])


@pytest.mark.parametrize("seed", range(5))
def test_the_exact_route_is_as_short_as_trying_every_order(seed: int):
    rng = random.Random(seed)
    spots = [Spot(0, -2), *(Spot(rng.randint(0, 8) * 3, rng.uniform(1, 19), rng.randint(1, 8)) for _ in range(7))]
    matrix = distance_matrix(spots)
    tour = exact_tour(matrix)
    assert _is_round_trip(tour, len(spots))
    assert tour_length(matrix, tour) == pytest.approx(_brute_force(matrix))


def test_a_long_route_from_the_solver_visits_every_stop_once_and_finds_the_obvious_loop():
    """24 stops on the edge of an open 10 × 6 area: the best round trip walks the edge once, 32 m."""
    edge = [(x, 0) for x in range(1, 11)] + [(10, y) for y in range(1, 7)] + [(x, 6) for x in range(9, -1, -1)]
    spots = [Spot(0, 0), *(Spot(x, y) for x, y in edge[:23])]
    assert len(spots) - 1 > EXACT_LIMIT  # the solver's case, not Held-Karp's
    matrix = distance_matrix(spots)
    tour = shortest_tour(matrix)
    assert _is_round_trip(tour, len(spots))
    assert tour_length(matrix, tour) == pytest.approx(32)


def test_a_picker_walks_up_one_aisle_and_down_the_next_instead_of_back_and_forth():
    dock = Spot(0, -2)
    bins = [Spot(0, 18, aisle=1), Spot(0, 2, aisle=1), Spot(4, 2, aisle=2), Spot(4, 18, aisle=2)]
    matrix = distance_matrix([dock, *bins])
    tour = shortest_tour(matrix)
    visits = [bins[i - 1] for i in tour[1:-1]]
    assert visits in ([bins[1], bins[0], bins[3], bins[2]], [bins[2], bins[3], bins[0], bins[1]])
