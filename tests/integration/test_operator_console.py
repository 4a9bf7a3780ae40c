"""The operator console in a real headless Chromium (Debian's, driven by Playwright's Python API).

Log in with the admin key, watch a live simulated call appear by itself, end it with its End
button, then open its transcript from the call logs. Each view is saved as a screenshot in
tests/artifacts/ (not committed).
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from simulators.carrier.call import SimulatedCall
from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent
from tests.integration.api import ADMIN_KEY
from tests.integration.test_call_path import call_config, wait_call_ended

pytestmark = pytest.mark.asyncio(loop_scope="session")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
async def page():  # type: ignore[no-untyped-def]
    import playwright.async_api as playwright_api  # a test dependency (./run installs it)
    if shutil.which(CHROMIUM) is None:
        pytest.fail("chromium is not installed (./run installs Debian's chromium)")
    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 800})
        p = await context.new_page()
        p.set_default_timeout(20_000)
        errors: list[str] = []
        p.on("pageerror", lambda exc: errors.append(str(exc)))
        # 4xx answers the page expects (a failed login, no kill switch) log "Failed to load resource".
        p.on("console", lambda msg: errors.append(msg.text)
             if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
        yield p
        await browser.close()
        assert not errors, errors  # no script errors and no CSP violations


async def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"operator-{name}.png"), full_page=True)


async def test_operator_sees_a_live_call_ends_it_and_reads_its_transcript(live, store, make_tenant, page) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant(local_script="two_turns")
    await page.goto(f"{live.gateway_url}/operator")
    await page.fill("#key", "not-a-key")
    await page.click("#login button")
    await page.wait_for_selector("#error:has-text('invalid_credentials')")
    await page.fill("#key", ADMIN_KEY)
    await page.click("#login button")
    await page.wait_for_selector("#console:not(.hidden)")

    # A caller who asks one thing and then stays on the line: the operator ends the call.
    script = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(30_000), Hangup()]
    call = asyncio.create_task(SimulatedCall(call_config(live, tenant, script)).run())
    row = page.locator(f"#live-calls tr:has-text('{tenant.id}')")
    await row.wait_for()  # appears without a click: the view polls
    await page.wait_for_selector(f"#live-calls tr:has-text('{tenant.id}') >> text=in_call")
    latency = row.locator("td").nth(9)  # filled once the agent has answered: the view updates itself
    for _ in range(150):
        if (await latency.inner_text()).strip():
            break
        await asyncio.sleep(0.1)
    assert (await latency.inner_text()).strip(), "the live row never showed the agent's answer"
    call_sid = await row.get_attribute("data-call-sid")
    assert call_sid and call_sid.startswith("CA")
    await shot(page, "live")

    await row.locator("button", has_text="End").click()
    await row.wait_for(state="detached")
    ended = await wait_call_ended(store, tenant.id, call_sid)
    assert ended.end_reason == "ended_by_operator"
    await asyncio.wait_for(call, 30)

    await page.click("nav button[data-view=calls]")
    await page.select_option("#calls-tenant", tenant.id)
    await page.select_option("#calls-status", "completed")
    await page.click("#calls-load")
    log_row = page.locator(f"#calls-rows tr[data-call-sid='{call_sid}']")
    await log_row.wait_for()
    assert "ended_by_operator" in await log_row.inner_text()
    await log_row.locator("button", has_text="Transcript").click()
    transcript = page.locator("#transcript")
    await transcript.locator(f"text=Transcript of {call_sid}").wait_for()
    text = await transcript.inner_text()
    assert "agent" in text and "caller" in text
    await shot(page, "transcript")

    await page.select_option("#calls-status", "failed")  # the filter applies: this call is not failed
    await page.click("#calls-load")
    await log_row.wait_for(state="detached")

    await page.click("nav button[data-view=rollouts]")
    await page.wait_for_selector("#view-rollouts:not(.hidden)")
    await page.click("#sweep-dry")
    await shot(page, "rollouts")
    await page.click("nav button[data-view=webhooks]")
    await page.select_option("#wh-tenant", tenant.id)
    await page.click("#wh-load")
    await shot(page, "webhooks")
