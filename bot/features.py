"""A feature of the bot is one module of top-level handlers, each declared with its filters in a decorator, as
in aiogram's examples; `Feature.router()` builds a fresh aiogram Router of them.

A Router can be attached to one dispatcher only, and every dispatcher (each test, the webhook app, polling)
needs its own: so a feature records its handlers at import and hands out a new router each time it is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiogram import Router

Handler = TypeVar("Handler", bound=Callable[..., Any])


class Feature:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def message(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._on("message", filters, kwargs)

    def callback_query(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._on("callback_query", filters, kwargs)

    def _on(self, observer: str, filters: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._handlers.append((observer, handler, filters, kwargs))
            return handler

        return register

    def router(self) -> Router:
        """A new router with the feature's handlers, in the order they were declared (the first match wins)."""
        router = Router(name=self.name)
        for observer, handler, filters, kwargs in self._handlers:
            getattr(router, observer).register(handler, *filters, **kwargs)
        return router
