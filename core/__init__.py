"""fahuo core: the domain of orders, stock and dispatch. Knows nothing of HTTP, Telegram or schedules."""
