"""Customers in Telegram: link by phone, browse, cart, check out, follow their orders, ask for after-sales help."""

from __future__ import annotations

import asyncio
import base64
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from pydantic import ValidationError

from bot.texts import say
from core.base.auth import Permission, Staff
from core.base.db import fetch
from core.base.errors import DomainError
from core.base.settings import Settings
from core.orders.customers import Customer, link_telegram
from core.orders.intake import place_order
from core.orders.order import TRANSITIONS, Order, OrderIn, OrderLine, OrderStatus
from core.shipping.aftersales import RequestIn, open_request
from core.shipping.cancellation import cancel_order
from core.shipping.shipments import Shipment, tracking_url
from core.shipping.tracking import shipment_timeline
from core.stock.catalog import Product
from core.stock.ledger import free_stock

PAGE = 6
MAX_PHOTOS = 5


class Checkout(StatesGroup):
    address = State()
    date = State()
    service = State()
    payment = State()
    confirm = State()


class AfterSales(StatesGroup):
    kind = State()
    text = State()
    photos = State()


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=data)
                                                  for label, data in row] for row in rows])


def customer_router() -> Router:
    router = Router(name="customers")

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject, lang: str, customer: Customer | None,
                    staff: Staff | None, settings: Settings) -> None:
        if command.args and command.args.startswith("track_"):
            await _send_status(message, command.args.removeprefix("track_"), customer, lang, settings)
            return
        if staff is not None:  # linked by `run.py user telegram`: no phone to share, their own commands
            await message.answer(say(lang, "staff_welcome", name=staff.display_name or staff.username))
            await message.answer(_help(lang, staff))
            return
        share = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=say(lang, "share_phone"), request_contact=True)]],
                                    resize_keyboard=True, one_time_keyboard=True)
        await message.answer(say(lang, "welcome"), reply_markup=None if customer else share)
        await message.answer(say(lang, "help"))

    @router.message(F.contact)
    async def contact(message: Message, lang: str) -> None:
        shared = message.contact
        if shared is None or message.from_user is None or shared.user_id != message.from_user.id:
            await message.answer(say(lang, "need_phone"))  # only one's own number links an account
            return
        # Telegram gives the number with its country code but without the plus
        phone = shared.phone_number if shared.phone_number.startswith("+") else f"+{shared.phone_number}"
        name = " ".join(filter(None, [shared.first_name, shared.last_name])) or "Telegram"
        try:
            found = await link_telegram(phone, message.from_user.id, name[:200], lang)
        except DomainError as exc:
            await message.answer(exc.message(lang))
            return
        await message.answer(say(lang, "linked", name=found.name), reply_markup=ReplyKeyboardRemove())

    @router.message(Command("help"))
    async def help_(message: Message, lang: str, staff: Staff | None) -> None:
        await message.answer(_help(lang, staff))

    @router.message(Command("lang"))
    async def switch_language(message: Message, lang: str, customer: Customer | None, staff: Staff | None) -> None:
        new = "en" if lang == "zh" else "zh"
        if customer is not None:
            await Customer.filter(id=customer.id).update(language=new)
        if staff is not None:
            await Staff.filter(id=staff.id).update(language=new)
        await message.answer(say(new, "lang_set"))

    # -- catalogue and cart -----------------------------------------------------------------------

    async def catalogue_page(page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
        total = await Product.filter(active=True).count()
        pages = max(1, -(-total // PAGE))
        page = min(max(page, 1), pages)
        products = await Product.filter(active=True).order_by("sku").offset((page - 1) * PAGE).limit(PAGE)
        rows = [[(f"{p.name_zh or p.name if lang == 'zh' else p.name} · {p.price}", f"prod:{p.sku}")]
                for p in products]
        nav = [(f"‹ {page - 1}", f"cat:{page - 1}")] if page > 1 else []
        nav += [(f"{page + 1} ›", f"cat:{page + 1}")] if page < pages else []
        return say(lang, "catalog", page=page, pages=pages), keyboard([*rows, nav] if nav else rows)

    @router.message(Command("catalog"))
    async def catalogue(message: Message, lang: str) -> None:
        text, markup = await catalogue_page(1, lang)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(F.data.startswith("cat:"))
    async def catalogue_more(query: CallbackQuery, lang: str) -> None:
        text, markup = await catalogue_page(int(query.data.split(":")[1]), lang)  # type: ignore[union-attr]
        await query.message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr]
        await query.answer()

    @router.callback_query(F.data.startswith("prod:"))
    async def product(query: CallbackQuery, lang: str) -> None:
        item = await Product.get_or_none(sku=query.data.split(":", 1)[1], active=True)  # type: ignore[union-attr]
        if item is None:
            await query.answer("?")
            return
        stock = (await free_stock([item.id])).total(item.id)
        text = say(lang, "product", name=item.name_zh or item.name if lang == "zh" else item.name, sku=item.sku,
                   price=item.price, stock=stock)
        await query.message.answer(text, reply_markup=keyboard([[("+1", f"add:{item.sku}:1"),  # type: ignore[union-attr]
                                                                  ("+5", f"add:{item.sku}:5")]]))
        await query.answer()

    @router.callback_query(F.data.startswith("add:"))
    async def add(query: CallbackQuery, state: FSMContext, lang: str, settings: Settings) -> None:
        _, sku, qty = query.data.split(":")  # type: ignore[union-attr]
        cart: dict[str, int] = (await state.get_data()).get("cart", {})
        cart[sku] = min(cart.get(sku, 0) + int(qty), settings.max_line_qty)  # more would be held for review
        await state.update_data(cart=cart)
        await query.answer(say(lang, "added", qty=qty, sku=sku))
        await query.message.answer(say(lang, "added", qty=qty, sku=sku))  # type: ignore[union-attr]

    async def cart_lines(cart: dict[str, int]) -> tuple[str, Decimal]:
        products = {p.sku: p for p in await Product.filter(sku__in=list(cart))}
        total = sum((products[s].price * q for s, q in cart.items() if s in products), Decimal(0))
        return "\n".join(f"{q} × {s} {products[s].name}" for s, q in cart.items() if s in products), total

    @router.message(Command("cart"))
    async def show_cart(message: Message, state: FSMContext, lang: str) -> None:
        cart = (await state.get_data()).get("cart", {})
        if not cart:
            await message.answer(say(lang, "cart_empty"))
            return
        lines, total = await cart_lines(cart)
        await message.answer(say(lang, "cart", lines=lines, total=total), reply_markup=keyboard(
            [[(say(lang, "checkout"), "cart:checkout"), (say(lang, "clear"), "cart:clear")]]))

    @router.callback_query(F.data == "cart:clear")
    async def clear_cart(query: CallbackQuery, state: FSMContext, lang: str) -> None:
        await state.update_data(cart={})
        await query.message.answer(say(lang, "cart_empty"))  # type: ignore[union-attr]
        await query.answer()

    # -- checkout ---------------------------------------------------------------------------------

    @router.callback_query(F.data == "cart:checkout")
    async def checkout(query: CallbackQuery, state: FSMContext, lang: str, customer: Customer | None) -> None:
        await query.answer()
        if customer is None or not customer.phone:
            await query.message.answer(say(lang, "need_phone"))  # type: ignore[union-attr]
            return
        await state.set_state(Checkout.address)
        await query.message.answer(say(lang, "ask_address"))  # type: ignore[union-attr]

    @router.message(Checkout.address, F.text)
    async def address(message: Message, state: FSMContext, lang: str) -> None:
        parts = [p.strip() for p in re.split(r"[,，、]", message.text or "") if p.strip()]
        if len(parts) < 4 or len(parts) > 5 or any(len(p) > 120 for p in parts):
            await message.answer(say(lang, "bad_address"))
            return
        province, city, district, line1, *rest = parts
        await state.update_data(address={"province": province, "city": city, "district": district, "line1": line1,
                                         "postcode": rest[0] if rest else ""})
        await state.set_state(Checkout.date)
        await message.answer(say(lang, "ask_date"), reply_markup=keyboard([[
            (say(lang, "today"), "co:date:0"), (say(lang, "tomorrow"), "co:date:1"),
            (say(lang, "any_day"), "co:date:-")]]))

    @router.callback_query(Checkout.date, F.data.startswith("co:date:"))
    async def date(query: CallbackQuery, state: FSMContext, lang: str, settings: Settings) -> None:
        choice = query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
        day = None if choice == "-" else (datetime.now(settings.tz).date() + timedelta(days=int(choice))).isoformat()
        await state.update_data(date=day)
        await state.set_state(Checkout.service)
        await query.message.answer(say(lang, "ask_service"), reply_markup=keyboard([[  # type: ignore[union-attr]
            (say(lang, level), f"co:svc:{level}") for level in ("express", "standard", "economy")]]))
        await query.answer()

    @router.callback_query(Checkout.service, F.data.startswith("co:svc:"))
    async def service(query: CallbackQuery, state: FSMContext, lang: str) -> None:
        await state.update_data(service=query.data.rsplit(":", 1)[1])  # type: ignore[union-attr]
        await state.set_state(Checkout.payment)
        await query.message.answer(say(lang, "ask_payment"), reply_markup=keyboard([[  # type: ignore[union-attr]
            (say(lang, "prepaid"), "co:pay:prepaid"), (say(lang, "cod"), "co:pay:cod")]]))
        await query.answer()

    @router.callback_query(Checkout.payment, F.data.startswith("co:pay:"))
    async def payment(query: CallbackQuery, state: FSMContext, lang: str) -> None:
        await state.update_data(payment=query.data.rsplit(":", 1)[1])  # type: ignore[union-attr]
        await state.set_state(Checkout.confirm)
        data = await state.get_data()
        lines, total = await cart_lines(data["cart"])
        a = data["address"]
        await query.message.answer(say(  # type: ignore[union-attr]
            lang, "summary", lines=lines, total=total,
            address=f"{a['province']} {a['city']} {a['district']} {a['line1']}",
            date=data["date"] or say(lang, "any_day"), service=say(lang, data["service"]),
            payment=say(lang, data["payment"])), reply_markup=keyboard([[
                (say(lang, "confirm"), "co:confirm"), (say(lang, "cancel"), "co:cancel")]]))
        await query.answer()

    @router.callback_query(Checkout.confirm, F.data == "co:cancel")
    async def drop(query: CallbackQuery, state: FSMContext, lang: str) -> None:
        cart = (await state.get_data()).get("cart", {})
        await state.clear()
        await state.update_data(cart=cart)
        await query.message.answer(say(lang, "dropped"))  # type: ignore[union-attr]
        await query.answer()

    @router.callback_query(Checkout.confirm, F.data == "co:confirm")
    async def confirm(query: CallbackQuery, state: FSMContext, lang: str, customer: Customer,
                      settings: Settings) -> None:
        data = await state.get_data()
        body = {
            # the confirmation message identifies this checkout: pressing Confirm twice is one order
            "external_ref": f"tg-{query.from_user.id}-{query.message.message_id}",  # type: ignore[union-attr]
            "customer": {"name": customer.name, "phone": customer.phone, "telegram_id": query.from_user.id},
            "address": {"recipient": customer.name, "phone": customer.phone, **data["address"]},
            "lines": [{"sku": s, "qty": q} for s, q in data["cart"].items()],
            "service_level": data["service"], "payment_method": data["payment"], "payment_state": "pending",
            "requested_date": data["date"],
        }
        try:
            placed = await place_order(OrderIn.model_validate(body), "telegram", f"tg:{query.from_user.id}",
                                       settings)
        except (DomainError, ValidationError) as exc:
            text = exc.message(lang) if isinstance(exc, DomainError) else str(exc.errors()[0]["msg"])
            await query.message.answer(text)  # type: ignore[union-attr]
            await query.answer()
            return
        await state.clear()
        await query.message.answer(say(lang, "placed", number=placed.order.number,  # type: ignore[union-attr]
                                       status=placed.order.status))
        await query.answer()

    # -- my orders ------------------------------------------------------------------------------------

    @router.message(Command("orders"))
    async def my_orders(message: Message, lang: str, customer: Customer | None) -> None:
        orders = await Order.filter(customer_id=customer.id).order_by("-id").limit(10) if customer else []
        if not orders:
            await message.answer(say(lang, "no_orders"))
            return
        await message.answer(say(lang, "orders"), reply_markup=keyboard(
            [[(f"{o.number} · {o.status}", f"trk:{o.number}")] for o in orders]))

    @router.message(Command("track"))
    async def track(message: Message, command: CommandObject, lang: str, customer: Customer | None,
                    settings: Settings) -> None:
        if not command.args:
            await message.answer(say(lang, "track_usage"))
            return
        await _send_status(message, command.args.strip(), customer, lang, settings)

    @router.callback_query(F.data.startswith("trk:"))
    async def track_button(query: CallbackQuery, lang: str, customer: Customer | None, settings: Settings) -> None:
        await _send_status(query.message, query.data.split(":", 1)[1], customer, lang, settings)  # type: ignore[arg-type, union-attr]
        await query.answer()

    @router.callback_query(F.data.startswith("cxl:"))
    async def cancel(query: CallbackQuery, lang: str, customer: Customer | None, notify_now: asyncio.Event) -> None:
        number = query.data.split(":", 1)[1]  # type: ignore[union-attr]
        order = await _own_order(number, customer)
        if order is None:
            await query.answer(say(lang, "not_yours", number=number), show_alert=True)
            return
        try:
            await cancel_order(number, f"tg:{query.from_user.id}", "cancelled by the customer in Telegram")
            # the cancel's outbox event tells the customer, once, of it and of any follow-ons it took along;
            # the notifier is woken so that comes at once
            notify_now.set()
        except DomainError as exc:
            await query.message.answer(exc.message(lang))  # type: ignore[union-attr]
        await query.answer()

    # -- after-sales ----------------------------------------------------------------------------------

    @router.message(Command("aftersales"))
    async def aftersales(message: Message, lang: str, customer: Customer | None) -> None:
        orders = await Order.filter(customer_id=customer.id, status__in=(OrderStatus.SHIPPED, OrderStatus.DELIVERED)
                                    ).order_by("-id").limit(8) if customer else []
        if not orders:
            await message.answer(say(lang, "as_none"))
            return
        await message.answer(say(lang, "as_pick_order"), reply_markup=keyboard(
            [[(o.number, f"as:ord:{o.number}")] for o in orders]))

    @router.callback_query(F.data.startswith("as:ord:"))
    async def as_order(query: CallbackQuery, state: FSMContext, lang: str, customer: Customer | None) -> None:
        number = query.data.split(":", 2)[2]  # type: ignore[union-attr]
        if await _own_order(number, customer) is None:
            await query.answer(say(lang, "not_yours", number=number), show_alert=True)
            return
        await state.set_state(AfterSales.kind)
        await state.update_data(as_order=number, photos=[])
        await query.message.answer(say(lang, "as_kind"), reply_markup=keyboard([[  # type: ignore[union-attr]
            (say(lang, k), f"as:kind:{k}") for k in ("return", "exchange")], [
            (say(lang, k), f"as:kind:{k}") for k in ("damage", "missing_item")]]))
        await query.answer()

    @router.callback_query(AfterSales.kind, F.data.startswith("as:kind:"))
    async def as_kind(query: CallbackQuery, state: FSMContext, lang: str) -> None:
        await state.update_data(as_kind=query.data.split(":", 2)[2])  # type: ignore[union-attr]
        await state.set_state(AfterSales.text)
        await query.message.answer(say(lang, "as_text"))  # type: ignore[union-attr]
        await query.answer()

    @router.message(AfterSales.text, F.text)
    async def as_text(message: Message, state: FSMContext, lang: str) -> None:
        await state.update_data(as_text=(message.text or "")[:2000])
        await state.set_state(AfterSales.photos)
        await message.answer(say(lang, "as_photos"), reply_markup=keyboard([[(say(lang, "done"), "as:done")]]))

    @router.message(AfterSales.photos, F.photo)
    async def as_photo(message: Message, state: FSMContext, lang: str, bot: Bot) -> None:
        photos: list[str] = (await state.get_data()).get("photos", [])
        if len(photos) >= MAX_PHOTOS:
            return
        biggest = message.photo[-1]  # type: ignore[index]
        buffer = io.BytesIO()
        await bot.download(biggest, destination=buffer)
        photos.append(base64.b64encode(buffer.getvalue()).decode())
        await state.update_data(photos=photos)
        await message.answer(say(lang, "photo_ok", n=len(photos)))

    @router.callback_query(AfterSales.photos, F.data == "as:done")
    async def as_done(query: CallbackQuery, state: FSMContext, lang: str, customer: Customer,
                      settings: Settings) -> None:
        data = await state.get_data()
        lines = await OrderLine.filter(order__number=data["as_order"]).values_list("product__sku", "qty")
        body = {"order": data["as_order"], "kind": data["as_kind"], "text": data["as_text"],
                "lines": [{"sku": sku, "qty": qty} for sku, qty in lines],
                "photos": [{"mime": "image/jpeg", "data": p} for p in data.get("photos", [])]}
        try:
            request = await open_request(RequestIn.model_validate(body), f"tg:{query.from_user.id}", settings,
                                         customer_id=customer.id)
            await query.message.answer(say(lang, "as_opened", number=request.number))  # type: ignore[union-attr]
            await state.clear()
        except (DomainError, ValidationError) as exc:
            await query.message.answer(exc.message(lang) if isinstance(exc, DomainError)  # type: ignore[union-attr]
                                       else str(exc.errors()[0]["msg"]))
        await query.answer()

    @router.message(F.text)
    async def anything_else(message: Message, lang: str) -> None:
        await message.answer(say(lang, "help"))

    return router


def _help(lang: str, staff: Staff | None) -> str:
    """The commands this person has: staff see theirs first (managers' too), then the shop's."""
    if staff is None:
        return say(lang, "help")
    own = "manager_help" if staff.may(Permission.VIEW_REPORTS) else "staff_help"  # /report, /alerts
    return f"{say(lang, own)}\n{say(lang, 'help')}"


async def _own_order(number: str, customer: Customer | None) -> Order | None:
    """Only the customer's own order exists for them; anyone else's reads as not found."""
    if customer is None:
        return None
    return await Order.get_or_none(number=number[:32], customer_id=customer.id)


async def _send_status(message: Message, number: str, customer: Customer | None, lang: str,
                       settings: Settings) -> None:
    # the busiest question a bot gets, so one hand-written statement (see bench/bot.py)
    rows_ = [] if customer is None else await fetch(
        "SELECT o.id, o.status, o.requested_date, p.sku, l.qty FROM sales_order o "
        "JOIN sales_order_line l ON l.order_id = o.id JOIN product p ON p.id = l.product_id "
        "WHERE o.number = ? AND o.customer_id = ? ORDER BY l.id",
        number[:32], customer.id)
    if not rows_:  # only the customer's own order exists for them
        await message.answer(say(lang, "not_yours", number=number[:32]))
        return
    order_id, status = rows_[0]["id"], OrderStatus(rows_[0]["status"])
    text = say(lang, "status", number=number, status=status,
               lines="\n".join(f"{r['qty']} × {r['sku']}" for r in rows_))
    if rows_[0]["requested_date"]:
        text += "\n" + say(lang, "requested", date=str(rows_[0]["requested_date"]))
    rows: list[list[Any]] = []
    if status in (OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        shipment = await Shipment.filter(order_id=order_id).order_by("-id").first()
        if shipment is not None:
            for event in await shipment_timeline(shipment):
                text += f"\n{event['at'][:16].replace('T', ' ')} {event['description']} {event['place']}"
            if shipment.waybill:
                rows.append([InlineKeyboardButton(text=say(lang, "track_link"),
                                                  url=tracking_url(shipment, settings))])
    if OrderStatus.CANCELLED in TRANSITIONS[status]:
        rows.append([InlineKeyboardButton(text=say(lang, "cancel_order"), callback_data=f"cxl:{number}")])
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None)
