"""Our own vans: the day's own-fleet deliveries of a warehouse routed over its vehicles.

Each van has a capacity and a shift; each stop may have the customer's time window. OR-Tools solves the
vehicle routing problem with capacities and time windows; stops that fit no van are listed as unplanned
rather than squeezed in. Travel time comes from a `TravelTimes` object: the built-in one estimates from
straight-line distance, a detour factor and a time-of-day traffic factor; a map service can replace it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.clock import ClockField, minutes
from core.base.db import by_number
from core.base.errors import Conflict, DomainError, InvalidInput, NotFound
from core.base.events import emit
from core.base.fields import ClockTime, WarehouseCode
from core.base.i18n import MESSAGES, Phrase, listed, phrase
from core.base.numbering import next_number
from core.base.phones import display_phone
from core.base.places import written
from core.base.settings import Settings
from core.orders.order import PaymentMethod, PaymentState
from core.shipping.carriers import Carrier
from core.shipping.shipments import Package, Shipment, ShipmentStatus
from core.stock.warehouses import Warehouse, haversine_km, warehouse_by_code

SERVICE_MINUTES = 8  # park, hand over, get a signature
SOLVER_SECONDS = 1


class Vehicle(Model):
    id = fields.IntField(primary_key=True)
    plate = fields.CharField(max_length=16, unique=True)
    warehouse: fields.ForeignKeyRelation[Warehouse] = fields.ForeignKeyField(
        "fahuo.Warehouse", related_name="vehicles", on_delete=fields.RESTRICT
    )
    capacity_kg = fields.IntField()
    driver = fields.CharField(max_length=100, default="")
    driver_chat = fields.BigIntField(null=True)  # the driver's Telegram chat, where the day's route is sent
    shift_start = ClockField(default=time(8, 0))
    shift_end = ClockField(default=time(18, 0))
    active = fields.BooleanField(default=True)

    class Meta:
        table = "vehicle"


class VehicleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plate: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[\w\-·]{2,16}$")]
    warehouse: WarehouseCode
    capacity_kg: int = Field(gt=0, le=50_000)
    driver: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    driver_chat: int | None = Field(default=None, ge=1, le=2**53, description="the driver's Telegram chat id")
    shift_start: ClockTime = time(8, 0)
    shift_end: ClockTime = time(18, 0)


async def save_vehicle(body: VehicleIn) -> Vehicle:
    if body.shift_start >= body.shift_end:
        raise InvalidInput(detail=phrase("refuse.shift_order"))
    warehouse = await warehouse_by_code(body.warehouse)
    data = {**body.model_dump(exclude={"warehouse"}), "warehouse_id": warehouse.id}
    vehicle = await Vehicle.get_or_none(plate=body.plate)
    if vehicle is None:
        return await Vehicle.create(**data)
    await vehicle.update_from_dict(data).save()
    return vehicle


async def list_vehicles(warehouse: str | None = None) -> list[dict[str, Any]]:
    """Our vans by plate, of one warehouse if one is named."""
    found = Vehicle.all().order_by("plate")
    if warehouse:
        found = found.filter(warehouse__code=warehouse)
    return [vehicle_view(v) for v in await found]


def vehicle_view(v: Vehicle) -> dict[str, Any]:
    return {"plate": v.plate, "capacity_kg": v.capacity_kg, "driver": v.driver,
            "driver_linked": v.driver_chat is not None,
            "shift": f"{v.shift_start:%H:%M}-{v.shift_end:%H:%M}", "active": v.active}


class DriverNotLinked(Conflict):
    code = "driver_not_linked"


class NotOnPlan(NotFound):
    """A van the plan has no route for: a not-found with its own words (the van and the plan, not a kind and
    a key)."""

    code = "not_on_plan"

    def __init__(self, *, plate: str, plan: str) -> None:
        DomainError.__init__(self, plate=plate, plan=plan)


class RoutePlan(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    warehouse = fields.ForeignKeyField("fahuo.Warehouse", related_name="route_plans", on_delete=fields.RESTRICT)
    day = fields.DateField()
    unplanned: list[dict[str, str]] = fields.JSONField(default=list)  # type: ignore[assignment]
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "route_plan"


class RouteStop(Model):
    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[RoutePlan] = fields.ForeignKeyField(
        "fahuo.RoutePlan", related_name="stops", on_delete=fields.CASCADE
    )
    vehicle = fields.ForeignKeyField("fahuo.Vehicle", related_name="stops", on_delete=fields.RESTRICT)
    seq = fields.IntField()
    shipment = fields.ForeignKeyField("fahuo.Shipment", related_name="stops", on_delete=fields.RESTRICT)
    eta = fields.DatetimeField()
    km_from_previous = fields.FloatField()

    class Meta:
        table = "route_stop"
        indexes = (("plan_id", "vehicle_id", "seq"), ("shipment_id",))


# -- travel times ---------------------------------------------------------------------------------------

Point = tuple[float, float]


class TravelTimes(Protocol):
    def km(self, a: Point, b: Point) -> float: ...

    def minutes(self, a: Point, b: Point, depart: datetime) -> float: ...


@dataclass(frozen=True)
class RoadEstimate:
    """Road distance ≈ straight line × detour; speed by hour of day (morning and evening rush are slow)."""

    detour: float = 1.35
    kmh: float = 32.0

    def km(self, a: Point, b: Point) -> float:
        return haversine_km(a[0], a[1], b[0], b[1]) * self.detour

    @staticmethod
    def traffic(hour: int) -> float:
        if hour in (7, 8, 17, 18):
            return 1.6
        if 9 <= hour <= 16:
            return 1.15
        return 0.9

    def minutes(self, a: Point, b: Point, depart: datetime) -> float:
        return self.km(a, b) / self.kmh * 60 * self.traffic(depart.hour)


ROADS = RoadEstimate()


# -- planning -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    shipment: Shipment
    point: Point
    kg: int
    window: tuple[int, int]  # minutes after midnight


async def _own_fleet_shipments(warehouse: Warehouse) -> list[Shipment]:
    own = await Carrier.filter(adapter="own_fleet").values_list("id", flat=True)
    return await (Shipment.filter(warehouse_id=warehouse.id, carrier_id__in=list(own),
                                  status__in=(ShipmentStatus.BOOKED, ShipmentStatus.LOADING))
                  .prefetch_related("order").order_by("id"))


async def plan_deliveries(warehouse_code: str, day: date, actor: str, settings: Settings,
                          travel: TravelTimes = ROADS) -> RoutePlan:
    """Assign the warehouse's waiting own-fleet shipments to its vans, with stop order and arrival times."""
    warehouse = await warehouse_by_code(warehouse_code)
    if warehouse.lat is None or warehouse.lon is None:
        raise Conflict(detail=phrase("refuse.no_coordinates", warehouse=warehouse.code))
    vehicles = await Vehicle.filter(warehouse_id=warehouse.id, active=True).order_by("plate")
    if not vehicles:
        raise Conflict(detail=phrase("refuse.no_vehicles", warehouse=warehouse.code))
    stops, unplanned = [], []
    for shipment in await _own_fleet_shipments(warehouse):
        order = shipment.order
        if order.lat is None or order.lon is None:
            unplanned.append({"shipment": shipment.number, "code": "no_coordinates"})
            continue
        grams = sum(await Package.filter(shipment_id=shipment.id).values_list("weight_g", flat=True))
        window = (minutes(order.window_start) if order.window_start else 0,
                  minutes(order.window_end) if order.window_end else 24 * 60)
        stops.append(Stop(shipment, (order.lat, order.lon), max(1, math.ceil(grams / 1000)), window))
    depot = (warehouse.lat, warehouse.lon)
    routes, dropped = _solve(depot, stops, vehicles, day, warehouse.zone(settings.tz), travel)
    unplanned += [{"shipment": s.shipment.number, "code": "no_room"} for s in dropped]
    number = await next_number("RP", settings.tz)
    async with in_transaction():
        plan = await RoutePlan.create(number=number, warehouse_id=warehouse.id, day=day, unplanned=unplanned,
                                      created_by=actor)
        for vehicle, legs in routes:
            for seq, (stop, eta, km) in enumerate(legs, start=1):
                await RouteStop.create(plan_id=plan.id, vehicle_id=vehicle.id, seq=seq,
                                       shipment_id=stop.shipment.id, eta=eta, km_from_previous=round(km, 2))
        await emit("route_plan.created", {"plan": number, "warehouse": warehouse.code, "day": day.isoformat(),
                                          "stops": sum(len(legs) for _, legs in routes),
                                          "unplanned": len(unplanned)})
    return plan


def _solve(depot: Point, stops: list[Stop], vehicles: list[Vehicle], day: date, tz: ZoneInfo,
           travel: TravelTimes) -> tuple[list[tuple[Vehicle, list[tuple[Stop, datetime, float]]]], list[Stop]]:
    if not stops:
        return [], []
    points = [depot, *[s.point for s in stops]]
    start = min(minutes(v.shift_start) for v in vehicles)
    typical = datetime.combine(day, time(10, 0), tz)  # the solver needs one matrix: a mid-morning one
    matrix = [[0 if i == j else math.ceil(travel.minutes(a, b, typical)) for j, b in enumerate(points)]
              for i, a in enumerate(points)]
    manager = pywrapcp.RoutingIndexManager(len(points), len(vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)

    def drive(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return matrix[a][b] + (SERVICE_MINUTES if a else 0)

    transit = routing.RegisterTransitCallback(drive)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    # a van may wait for a window (slack), but it leaves when its shift starts and every minute of its day
    # costs: a stop without a window is served while the van would otherwise wait for one that has one
    routing.AddDimension(transit, 24 * 60, 24 * 60, False, "time")
    clock = routing.GetDimensionOrDie("time")
    clock.SetSpanCostCoefficientForAllVehicles(1)
    for node, stop in enumerate(stops, start=1):
        clock.CumulVar(manager.NodeToIndex(node)).SetRange(max(stop.window[0], start), stop.window[1])
        routing.AddDisjunction([manager.NodeToIndex(node)], 100_000)  # leave it out only if it cannot fit
    for k, v in enumerate(vehicles):
        clock.CumulVar(routing.Start(k)).SetValue(minutes(v.shift_start))
        clock.CumulVar(routing.End(k)).SetRange(minutes(v.shift_start), minutes(v.shift_end))
    load = routing.RegisterUnaryTransitCallback(lambda i: stops[manager.IndexToNode(i) - 1].kg
                                                if manager.IndexToNode(i) else 0)
    routing.AddDimensionWithVehicleCapacity(load, 0, [v.capacity_kg for v in vehicles], True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromSeconds(SOLVER_SECONDS)
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return [], stops
    routes, served = [], set()
    for k, vehicle in enumerate(vehicles):
        index = solution.Value(routing.NextVar(routing.Start(k)))
        legs, here = [], depot
        # arrival times are worked out again along the chosen order, with the traffic of each hour
        now = datetime.combine(day, vehicle.shift_start, tz)
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            stop = stops[node - 1]
            now += timedelta(minutes=travel.minutes(here, stop.point, now))
            opens = datetime.combine(day, time(0, 0), tz) + timedelta(minutes=stop.window[0])
            eta = max(now, opens)
            now = eta + timedelta(minutes=SERVICE_MINUTES)
            legs.append((stop, eta, travel.km(here, stop.point)))
            served.add(node)
            here = stop.point
            index = solution.Value(routing.NextVar(index))
        if legs:
            routes.append((vehicle, legs))
    return routes, [s for n, s in enumerate(stops, start=1) if n not in served]


def cod_due(order: Any) -> Decimal | None:
    """What the driver collects at the door: the order's total when it is paid on delivery and not paid yet."""
    if order.payment_method == PaymentMethod.COD and order.payment_state != PaymentState.PAID:
        return Decimal(order.total)
    return None


def _stop_view(s: RouteStop, tz: ZoneInfo, packages: int) -> dict[str, Any]:
    order = s.shipment.order
    window = f"{order.window_start:%H:%M}-{order.window_end:%H:%M}" if order.window_start and order.window_end else ""
    eta = s.eta.astimezone(tz)
    cod = cod_due(order)
    address = written(order.province, order.city, order.district, order.line1)
    return {"seq": s.seq, "shipment": s.shipment.number, "order": order.number, "address": address,
            "recipient": order.recipient, "phone": order.phone, "phone_display": display_phone(order.phone),
            "window": window, "eta": eta.isoformat(), "time": f"{eta:%H:%M}", "km_from_previous": s.km_from_previous,
            "packages": packages, "cod": f"{cod:.2f}" if cod is not None else None, "currency": order.currency}


def _totals(stops: list[dict[str, Any]]) -> dict[str, Any]:
    """Stops, packages and the money to collect, of a van or of the whole plan."""
    cod = sum((Decimal(s["cod"]) for s in stops if s["cod"]), Decimal(0))
    return {"stops": len(stops), "packages": sum(s["packages"] for s in stops), "cod": f"{cod:.2f}"}


def _unplanned(stop: dict[str, str]) -> dict[str, Any]:
    """A stop left out, with why in words for the reader (plans made before carry their English words)."""
    known = f"route.unplanned.{stop.get('code')}" in MESSAGES
    return {**stop, "why": phrase(f"route.unplanned.{stop['code']}") if known else stop.get("why", "")}


async def plan_view(plan: RoutePlan, settings: Settings) -> dict[str, Any]:
    """The plan as drivers read it, under the company's name: per van its stops in order with the packages to
    hand over and the money to collect, times in its warehouse's time zone (the company's where the warehouse
    keeps none), totals per van and for the plan; why a stop was left out as a phrase, said for the reader."""
    stops = await RouteStop.filter(plan_id=plan.id).order_by("vehicle_id", "seq").prefetch_related(
        "vehicle", "shipment__order")
    await plan.fetch_related("warehouse")
    tz = plan.warehouse.zone(settings.tz)
    packages = Counter(await Package.filter(shipment_id__in=[s.shipment_id for s in stops])  # type: ignore[attr-defined]
                       .values_list("shipment_id", flat=True))
    vans: dict[str, tuple[Vehicle, list[dict[str, Any]]]] = {}
    for s in stops:
        vans.setdefault(s.vehicle.plate, (s.vehicle, []))[1].append(
            _stop_view(s, tz, packages[s.shipment_id]))  # type: ignore[attr-defined]
    return {"number": plan.number, "company": settings.company_name, "currency": settings.currency,
            "warehouse": plan.warehouse.code, "warehouse_name": plan.warehouse.name,
            "time_zone": tz.key, "day": plan.day.isoformat(), "created_at": plan.created_at.isoformat(),
            "vehicles": [{"plate": plate, "driver": van.driver, "driver_linked": van.driver_chat is not None,
                          "shift": f"{van.shift_start:%H:%M}-{van.shift_end:%H:%M}", "stops": legs,
                          "km": round(sum(x["km_from_previous"] for x in legs), 1), "totals": _totals(legs)}
                         for plate, (van, legs) in vans.items()],
            "totals": _totals([leg for _, legs in vans.values() for leg in legs]),
            "unplanned": [_unplanned(stop) for stop in plan.unplanned]}


async def plans_of_day(warehouse_code: str, day: date | None, settings: Settings) -> list[dict[str, Any]]:
    """The route plans made for a warehouse's day (today where the warehouse is, when none is given), the
    latest first (a plan made again replaces the last)."""
    warehouse = await warehouse_by_code(warehouse_code)
    day = day or datetime.now(warehouse.zone(settings.tz)).date()
    plans = await RoutePlan.filter(warehouse_id=warehouse.id, day=day).order_by("-id").limit(10)
    return [await plan_view(plan, settings) for plan in plans]


async def send_route_to_driver(number: str, plate: str, settings: Settings) -> dict[str, Any]:
    """The van's part of the plan goes to its driver's Telegram chat, through the outbox: under the company's
    name, each stop with the phone to call, the packages to hand over and the money to collect, and the van's
    totals. A driver with no chat is refused (DriverNotLinked), so nobody believes a route was sent that was
    not."""
    plan = await plan_by_number(number)
    view = await plan_view(plan, settings)
    van = next((v for v in view["vehicles"] if v["plate"] == plate), None)
    if van is None:
        raise NotOnPlan(plate=plate, plan=plan.number)
    vehicle = await Vehicle.get(plate=plate)
    if vehicle.driver_chat is None:
        raise DriverNotLinked(plate=plate)
    lines = [phrase("route.stop", seq=s["seq"], time=s["time"], recipient=s["recipient"], phone=s["phone_display"],
                    address=s["address"], shipment=s["shipment"], packages=phrase("route.packages", n=s["packages"]),
                    window=phrase("route.window", window=s["window"]) if s["window"] else "",
                    cod=phrase("route.cod", amount=s["cod"], currency=s["currency"]) if s["cod"] else "")
             for s in van["stops"]]
    due = van["totals"]["cod"]
    collect = phrase("route.cod_total", amount=due, currency=view["currency"]) if Decimal(due) else ""
    async with in_transaction():
        await emit("route_plan.sent", {"plan": plan.number, "plate": plate, "day": view["day"],
                                       "chat_id": vehicle.driver_chat, "language": "zh", "company": view["company"],
                                       "count": len(lines), "packages": van["totals"]["packages"], "km": van["km"],
                                       "cod": collect, "stops": listed(lines, "lines")})
    return {"plan": plan.number, "plate": plate, "driver": vehicle.driver, "stops": len(lines), "sent": True}


async def plan_by_number(number: str) -> RoutePlan:
    return await by_number(RoutePlan, number, "route plan")


async def planned_vehicle(shipment_id: int) -> Vehicle | None:
    """The van the latest plan put this shipment on, if any."""
    stop = await RouteStop.filter(shipment_id=shipment_id).order_by("-id").prefetch_related("vehicle").first()
    return stop.vehicle if stop else None


# -- loading a van as planned -----------------------------------------------------------------------------

LOADING = (ShipmentStatus.BOOKED, ShipmentStatus.LOADING)


async def _van_stops(shipment: Shipment) -> list[RouteStop]:
    """The stops of the van the latest plan put this shipment on, in route order (none without a plan)."""
    stop = await RouteStop.filter(shipment_id=shipment.id).order_by("-id").first()
    if stop is None:
        return []
    return await RouteStop.filter(plan_id=stop.plan_id, vehicle_id=stop.vehicle_id).order_by("seq").prefetch_related(
        "shipment__order")


async def _unloaded(stops: list[RouteStop]) -> dict[int, int]:
    """Packages not yet on board, per shipment of these stops."""
    waiting: dict[int, int] = {}
    for shipment_id in await Package.filter(shipment_id__in=[s.shipment_id for s in stops],  # type: ignore[attr-defined]
                                            loaded_at__isnull=True).values_list("shipment_id", flat=True):
        waiting[shipment_id] = waiting.get(shipment_id, 0) + 1
    return waiting


async def loading_order(shipment: Shipment) -> list[dict[str, Any]]:
    """The planned van's shipments in the order they go in: the last stop first, so the first stop's goods
    are at the doors when the van gets there."""
    stops = await _van_stops(shipment)
    waiting = await _unloaded(stops)
    return [{"seq": s.seq, "shipment": s.shipment.number, "recipient": s.shipment.order.recipient,
             "address": written(s.shipment.order.province, s.shipment.order.city, s.shipment.order.district,
                                s.shipment.order.line1),
             "waiting": waiting.get(s.shipment_id, 0), "this": s.shipment_id == shipment.id}  # type: ignore[attr-defined]
            for s in reversed(stops)]


async def out_of_order(shipment: Shipment) -> Phrase | None:
    """Words for a package loaded while a later stop's goods (to go in first) are not all on board yet; the
    load is not refused, the dispatcher sees what will be in the way."""
    stops = await _van_stops(shipment)
    mine = next((s for s in stops if s.shipment_id == shipment.id), None)  # type: ignore[attr-defined]
    if mine is None:
        return None
    later = [s for s in stops if s.seq > mine.seq and s.shipment.status in LOADING]
    waiting = await _unloaded(later)
    first = [s.shipment.number for s in reversed(later) if waiting.get(s.shipment_id)]  # type: ignore[attr-defined]
    if not first:
        return None
    return phrase("load.out_of_order", shipment=shipment.number, seq=mine.seq, first=listed(first))
