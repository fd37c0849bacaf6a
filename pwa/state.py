"""Typed keys for what the application carries."""

from aiohttp import web

from core.base.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
