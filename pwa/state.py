"""Typed keys for what the application carries."""

from aiohttp import web

from core.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
