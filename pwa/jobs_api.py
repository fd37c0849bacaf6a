"""The work waiting to be done (core.base.jobs) as a manager looks after it: what waits or failed, and why;
a failed job tried again now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from pydantic import Field

from core.base.auth import Permission
from core.base.jobs import job_view, pending, retry_now
from pwa.endpoints import Api, language, reply
from pwa.responses import JobOut
from pwa.security import Access, Principal

api = Api()
JobNumber = Annotated[int, Field(ge=1, le=2**63 - 1)]


@api.route("GET", "/api/jobs", summary="Work waiting to be done: carriers' bookings and cancellations, tracking "
           "subscriptions, messages and labels still to send, the failed first, each with why its last try failed",
           tag="jobs", access=Access.STAFF, permission=Permission.MANAGE_JOBS, returns=list[JobOut])
async def get_jobs(request: web.Request, who: Principal) -> web.Response:
    lang = language(request)
    return reply([job_view(job, lang) for job in await pending()])


@api.route("POST", "/api/jobs/{job_id}/retry", summary="Try a waiting or failed job now, its tries counted afresh",
           tag="jobs", access=Access.STAFF, permission=Permission.MANAGE_JOBS, params={"job_id": JobNumber},
           returns=JobOut, responses={200: "due now: the next round runs it", 404: "no job waits with that number"})
async def post_job_retry(request: web.Request, who: Principal, job_id: int) -> web.Response:
    return reply(job_view(await retry_now(job_id, datetime.now(UTC)), language(request)))
