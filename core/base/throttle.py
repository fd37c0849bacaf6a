"""Sign-in throttle: failed attempts counted per account and per client address, in the database.

The count lives in a table, not in process memory, because several web processes may serve one site: a count
per process would multiply the guesses allowed by the number of processes and be forgotten on every restart.
Each attempt is counted *before* its password is checked, in one statement (an upsert), so a burst of
parallel guesses gets no further than the limit either; a right password takes its attempt back.
"""

from __future__ import annotations

import math
import time

from tortoise import fields
from tortoise.expressions import F, Q
from tortoise.models import Model

from core.base.db import fetch
from core.base.errors import DomainError

ACCOUNT_LIMIT = 5  # wrong passwords for one account within the window; the next attempt waits for its end
ADDRESS_LIMIT = 30  # attempts from one address within the window (a warehouse's staff may share one address)
WINDOW_SECONDS = 15 * 60


class LoginThrottle(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=120, unique=True)  # "account:<username>" or "address:<ip>"
    failures = fields.IntField(default=0)
    # seconds since the epoch: a number compares alike on SQLite and PostgreSQL inside the upsert
    window_started = fields.FloatField()

    class Meta:
        table = "login_throttle"


class TooManySignIns(DomainError):
    code = "too_many_sign_ins"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after  # seconds, for the Retry-After header
        super().__init__(minutes=math.ceil(retry_after / 60))


# a lapsed window starts afresh with this attempt; otherwise the attempt is added to it. By hand: the ORM has no
# upsert that computes from the row it meets, and counting must be one statement for parallel guesses.
_COUNT = (
    'INSERT INTO "login_throttle" ("key", "failures", "window_started") VALUES (?, 1, ?) '
    'ON CONFLICT ("key") DO UPDATE SET '
    '"failures" = CASE WHEN "login_throttle"."window_started" <= ? THEN 1 ELSE "login_throttle"."failures" + 1 END, '
    '"window_started" = CASE WHEN "login_throttle"."window_started" <= ? THEN ? '
    'ELSE "login_throttle"."window_started" END '
    'RETURNING "failures", "window_started"'
)


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    # the address first: once it is over its limit, no more rows are made for the names it tries
    keys = [(f"address:{address}", ADDRESS_LIMIT)] if address else []
    return [*keys, (f"account:{username}", ACCOUNT_LIMIT)]


async def count_attempt(username: str, address: str) -> None:
    """Count a sign-in attempt; TooManySignIns when the account or the address is over its limit."""
    now = time.time()
    lapsed = now - WINDOW_SECONDS
    for key, limit in _keys(username, address):
        row = (await fetch(_COUNT, key, now, lapsed, lapsed, now))[0]
        if row["failures"] > limit:
            raise TooManySignIns(retry_after=max(1, math.ceil(row["window_started"] + WINDOW_SECONDS - now)))


async def take_back_attempt(username: str, address: str) -> None:
    """A right password: the account starts with a clean slate, the address gets this attempt back."""
    await LoginThrottle.filter(Q(key=f"account:{username}") | Q(window_started__lt=time.time() - WINDOW_SECONDS)
                               ).delete()  # and lapsed rows of anyone
    if address:
        await LoginThrottle.filter(key=f"address:{address}", failures__gt=0).update(failures=F("failures") - 1)
