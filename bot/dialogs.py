"""Dialogs of several steps (checkout, after-sales): an aiogram StatesGroup each, one small handler per step.

Starting a dialog gives it an id, kept in the person's dialog state and carried by every button it shows. A
step's handler runs only for a button of the dialog under way (`this_dialog`); the dialog's last handler
answers any other of its buttons (pressed twice, an old message, a dialog that ended) "already done".
"""

from __future__ import annotations

import secrets
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery


async def begin(state: FSMContext, first: State, **data: Any) -> str:
    """Start a dialog at its first step (ending any other under way, but keeping the cart); returns its id."""
    dialog = secrets.token_hex(4)
    await state.set_state(first)
    await state.update_data(dialog=dialog, **data)
    return dialog


async def end(state: FSMContext, keep_cart: bool = False) -> None:
    """The dialog is over: its buttons act no more."""
    data = await state.get_data()
    await state.clear()
    if keep_cart:  # the same cart, whose message's buttons still act
        await state.update_data(cart=data.get("cart", {}), cart_id=data.get("cart_id"))


async def this_dialog(_: CallbackQuery, callback_data: Any, state: FSMContext) -> bool:
    """A filter (after a CallbackData one): the pressed button belongs to the dialog under way."""
    return getattr(callback_data, "dialog", None) == (await state.get_data()).get("dialog")
