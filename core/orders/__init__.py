"""Orders: intake, review, allocation, payments, customers.

Loading the package loads allocation, which tells the stock stage how stock goes to waiting orders
(core.stock.waiting)."""

from core.orders import allocation as _allocation  # noqa: F401
