"""One typed settings object, read once at start from the environment and `.env`, then passed down."""

from __future__ import annotations

import re
import secrets
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("data") / "fahuo.sqlite3"
DEFAULT_MEDIA = Path("data") / "media"
DEMO_LOGO = Path(__file__).resolve().parent.parent / "templates" / "logo.png"  # shipped with fahuo
DATABASE_SCHEMES = ("sqlite://", "postgres://", "postgresql://", "asyncpg://")  # the drivers fahuo installs


class CarrierAccount(BaseModel):
    """fahuo's account with one carrier's system (FAHUO_CARRIER_ACCOUNTS, JSON keyed by carrier code or adapter
    name). The names are generic, so every adapter reads the same four: `key` is the customer code / partner
    id / app key, `secret` the check word / app secret, `account` the billing account (SF's monthly card),
    `push_token` the unguessable part of the URL the carrier pushes tracking to; where a carrier needs more,
    `customer` is the id its system signs queries with beside the key (kuaidi100's customer), `account_key`
    the billing account's password (the e-waybill password a carrier's branch gives) and `push_secret` what
    the carrier signs its pushes with (kuaidi100's salt). Secrets are `SecretStr`: they
    print as stars in logs, reprs and errors, and no view of fahuo's shows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: SecretStr = SecretStr("")
    secret: SecretStr = SecretStr("")
    account: SecretStr = SecretStr("")
    push_token: SecretStr = SecretStr("")
    customer: SecretStr = SecretStr("")
    account_key: SecretStr = SecretStr("")
    push_secret: SecretStr = SecretStr("")
    sandbox: bool = True  # the carrier's test system until a shipper says production
    base_url: str = ""  # instead of the carrier's own address: a local fake in tests, a proxy
    timeout_s: float = Field(default=4.0, gt=0, le=30)  # one call to the carrier; the packer waits no longer
    options: dict[str, str | int | float | bool] = {}  # adapter-specific, nothing secret (e.g. SF's express type)


class ChannelAccount(BaseModel):
    """One storefront or marketplace fahuo takes orders from (FAHUO_CHANNELS, JSON keyed by the channel's name,
    which becomes its orders' `channel`). `platform` names the connector (core.channels.connectors.CONNECTORS);
    `shop_url` is the shop's own address (https://example.myshopify.com, https://shop.example.com);
    `webhook_secret` is what the platform signs its webhooks with (Shopify's app client secret, the secret of
    a WooCommerce webhook); `key` and `secret` are fahuo's credentials for the platform's API (Shopify's Admin
    API access token in `key`; WooCommerce's consumer key and secret; an open platform's app key and secret),
    `session` a user's authorisation where the platform has one (Taobao's session key). `skus` maps the
    platform's SKUs to fahuo's where they differ (any other SKU is taken as fahuo's own); `carriers` maps
    fahuo's carrier codes to the platform's where it keeps a list of its own (Taobao's company codes). Secrets are
    `SecretStr`: stars in logs, reprs and errors, and no view of fahuo's shows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    platform: str
    shop_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    key: SecretStr = SecretStr("")
    secret: SecretStr = SecretStr("")
    session: SecretStr = SecretStr("")
    skus: dict[str, str] = {}
    carriers: dict[str, str] = {}  # fahuo's carrier code → the platform's for it, where it has its own (Taobao's)
    base_url: str = ""  # instead of `shop_url` for API calls: a local fake in tests, a proxy
    timeout_s: float = Field(default=5.0, gt=0, le=30)  # one call to the platform
    options: dict[str, str | int | float | bool] = {}  # connector-specific, nothing secret (e.g. Shopify's API version)

    @property
    def api_url(self) -> str:
        return (self.base_url or self.shop_url).rstrip("/")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAHUO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite://{DEFAULT_DB_PATH}?synchronous=NORMAL",
        description="tortoise URL: sqlite://path/file.sqlite3 or postgres://user@host:port/db",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    public_url: str = ""  # where customers reach the web app (tracking links); defaults to host:port
    telegram_token: str = ""
    telegram_api_base: str = ""  # another Bot API server, e.g. a local one
    telegram_webhook_url: str = ""  # public base URL: webhook mode instead of long polling
    telegram_webhook_secret: str = ""
    telegram_emulator: bool = False  # run the local Bot API emulator and the bot against it
    emulator_port: int = 8081
    redis_url: str = ""
    timezone: str = "Asia/Shanghai"  # the warehouses' and customers' local time: papers, tracking page, reports
    currency: str = "CNY"
    media_dir: Path = DEFAULT_MEDIA  # product pictures kept as files (a product's `image` is a path under it)
    # review policy
    hold_order_value: Decimal = Decimal("50000")
    max_line_qty: int = 500
    duplicate_window_hours: int = 24
    cod_limit: Decimal = Decimal("5000")
    # hold an order typed as text whose recipient's phone was given out in another province than the address:
    # off, since sending to a relative, working away from home or a company phone is everyday; the mismatch is
    # then a note staff see on the order
    hold_phone_region: bool = False
    session_hours: int = 12
    # paying online
    payment_provider: str = "simulated"
    # shared with the provider to sign its callbacks; a random one per start when not set, which serves one
    # process with the simulated provider (several processes, or a real provider: set it)
    payment_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    payment_link_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    # scheduled jobs
    unpaid_hold_hours: int = 24  # a prepaid order's stock is held this long waiting for payment
    unpaid_policy: Literal["cancel", "release"] = "cancel"  # then: cancel it, or release the stock and wait
    late_after_hours: int = 48  # an approved order not shipped within this is late (or after its requested day)
    daily_report_at: time = time(8, 0)  # local time; the report covers the day before
    scheduler_enabled: bool = True
    # the company as its papers and the tracking page show it (the sender on every delivery note)
    company_name: str = "发货示范商贸有限公司"
    company_address: str = "上海市浦东新区张江路 88 号 3 号楼 1 层（邮编 201203）"
    company_phone: str = "+86 21 5080 0188"
    company_logo: Path | None = DEMO_LOGO  # a PNG or JPEG; empty for none
    papers_show_prices: bool = False  # unit prices and amounts on the delivery note the customer receives
    # the recipient's phone with its middle hidden (138****1234) on what anyone handling a parcel reads: package
    # labels and the waybill; the papers staff keep and the driver's route plan always show it whole
    labels_mask_phones: bool = True
    company_language: Literal["en", "zh"] = "zh"  # its own papers (confirmations, labels) and unknown visitors
    # carriers' systems: accounts by carrier code (or adapter name), how long booking may wait, quotes' life
    carrier_accounts: dict[str, CarrierAccount] = {}
    carrier_wait_s: float = Field(default=5.0, gt=0, le=60)  # all of one booking's carrier calls together
    quote_cache_minutes: int = Field(default=10, ge=0, le=1440)
    waybill_retries: int = Field(default=5, ge=0, le=50)  # failed bookings tried again before a manager must act
    # storefronts and marketplaces orders come from, by channel name; write-backs (tracking to the platform)
    # tried again this many times, waiting longer each time, before a manager must act
    channels: dict[str, ChannelAccount] = {}
    channel_retries: int = Field(default=8, ge=0, le=50)
    # label printers: how long a printer may take to answer before its job waits for the next try, and the
    # CUPS command that queues a job for a printer configured by its CUPS queue name
    printer_timeout: float = Field(default=3.0, gt=0, le=60)
    lp_command: str = "lp"
    # outbound webhooks (core.webhooks): one call's time limit, receivers served at once, tries before a
    # delivery is given up, and the first pause between tries (doubled after each failure, at most an hour)
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60)
    webhook_concurrency: int = Field(default=8, ge=1, le=100)
    webhook_attempts: int = Field(default=12, ge=1, le=50)
    webhook_retry_s: float = Field(default=30.0, gt=0, le=3600)
    # receivers on this machine or a private network (192.168.…, 10.…, localhost): refused unless allowed, so
    # that a sales channel's key cannot make fahuo call inside the company's network
    webhook_allow_private: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)  # at start rather than at midnight
        except (KeyError, ValueError):  # an unknown zone is a KeyError, which pydantic would not report
            raise PydanticCustomError("setting.time_zone", "not a known time zone, e.g. Asia/Shanghai") from None
        return value

    @field_validator("company_logo", mode="before")
    @classmethod
    def _logo_or_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("company_logo")
    @classmethod
    def _logo_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise PydanticCustomError("setting.logo", "there is no image file {path} (a PNG or JPEG; leave it empty "
                                      "for no logo)", {"path": str(value)})
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(DATABASE_SCHEMES):
            raise PydanticCustomError("setting.database_url",
                                      "use sqlite://path/file.sqlite3 or postgres://user@host:port/db")
        return value

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        if value and not re.fullmatch(r"\d+:\S+", value):  # the bot's id, a colon, the secret (from @BotFather)
            raise PydanticCustomError("setting.token", "a bot token looks like 123456789:AAE…, as @BotFather gives it")
        return value

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, value: dict[str, ChannelAccount]) -> dict[str, ChannelAccount]:
        for name in value:  # it is the orders' `channel` and a part of the webhook address
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", name):
                raise PydanticCustomError("setting.channel_name",
                                          "channel name {name}: lower-case letters, digits, - and _, 32 at most",
                                          {"name": name})
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url and len(self.telegram_webhook_secret) < 16:
            raise PydanticCustomError(
                "setting.webhook_secret",
                "webhook mode needs FAHUO_TELEGRAM_WEBHOOK_SECRET of 16 or more characters")
        return self

    def carrier_account(self, code: str, adapter: str) -> CarrierAccount | None:
        """The account for a carrier: its own (by carrier code) or its adapter's shared one."""
        return self.carrier_accounts.get(code) or self.carrier_accounts.get(adapter)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/") or f"http://{self.http_host}:{self.http_port}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
