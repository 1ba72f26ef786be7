"""The animated browser view, driven in real Chromium through its data-testids only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

MODES = ["orchestration", "choreography", "hybrid"]
ENDS_WITH = {word: re.compile(rf"{word}\s*$") for word in
             ("completed", "compensated", "running", "paused", "crashed")}


def status_is(page: Page, word: str, timeout: float = 15_000) -> None:
    expect(page.get_by_test_id("status")).to_have_text(ENDS_WITH[word], timeout=timeout)


def log_rows(page: Page):
    return page.get_by_test_id("event-log").locator("> li")


def kinds(page: Page) -> list[str]:
    return log_rows(page).evaluate_all("rows => rows.map(r => r.dataset.kind)")


def wait_for_events(page: Page, at_least: int = 1) -> None:
    expect(log_rows(page).nth(at_least - 1)).to_be_attached()


def seek_to(page: Page, kind: str) -> None:
    """Click the first log row of that kind: the cursor travels there."""
    page.get_by_test_id("event-log").locator(f'> li[data-kind="{kind}"]').first.click()


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_payment_plays_to_the_end_and_the_order_is_compensated(page: Page, watch, mode):
    page.goto(f"/?mode={mode}&fail=payment&speed=max")
    page.get_by_test_id("play").click()
    status_is(page, "compensated")
    seen = kinds(page)
    assert seen[0] == "saga.started"
    assert "step.failed" in seen
    assert "compensation.succeeded" in seen
    assert "saga.compensated" in seen
    expect(page.get_by_test_id("node-PaymentService")).to_have_attribute("data-state", "failed")
    expect(page.get_by_test_id("node-OrderService")).to_have_attribute("data-state", "compensated")
    expect(page.get_by_test_id("narration")).not_to_be_empty()


def test_stepping_three_times_shows_three_transitions(page: Page, watch):
    page.goto("/?mode=orchestration")
    status_is(page, "paused")
    counts = []
    for _ in range(3):
        before = log_rows(page).count()
        page.get_by_test_id("step").click()
        expect(log_rows(page)).not_to_have_count(before)
        counts.append(log_rows(page).count())
    assert counts[0] < counts[1] < counts[2]
    assert kinds(page)[0] == "saga.started"
    status_is(page, "paused")
    expect(page).to_have_url(re.compile(rf"cursor={counts[2]}"))


def test_step_back_rewinds_the_picture_and_step_replays_it(page: Page, watch):
    page.goto("/?mode=orchestration&fail=inventory&speed=max")
    page.get_by_test_id("play").click()
    status_is(page, "compensated")
    total = log_rows(page).count()
    ending = page.get_by_test_id("narration").text_content()

    page.get_by_test_id("step-back").click()
    expect(log_rows(page)).to_have_count(total - 1)
    status_is(page, "paused")
    expect(page.get_by_test_id("narration")).not_to_have_text(ending)

    seek_to(page, "step.failed")
    expect(page.get_by_test_id("node-InventoryService")).to_have_attribute("data-state", "failed")
    expect(page.get_by_test_id("node-OrderService")).to_have_attribute("data-state", "committed")

    page.get_by_test_id("step").click()
    expect(log_rows(page)).to_have_count(kinds(page).index("step.failed") + 2)
    for _ in range(total):
        if log_rows(page).count() == total:
            break
        page.get_by_test_id("step").click()
    status_is(page, "compensated")
    expect(page.get_by_test_id("narration")).to_have_text(ending)


def test_clicking_the_timeline_travels_to_that_moment(page: Page, watch):
    page.goto("/?mode=choreography&fail=inventory&speed=max")
    page.get_by_test_id("play").click()
    status_is(page, "compensated")
    total = log_rows(page).count()
    start = page.get_by_test_id("timeline").locator("svg").nth(1)  # after the lane names
    box = start.bounding_box()
    start.click(position={"x": 4, "y": box["height"] / 2})
    expect(log_rows(page)).to_have_count(1)
    status_is(page, "paused")
    expect(page.get_by_test_id("node-InventoryService")).to_have_attribute("data-state", "idle")
    page.get_by_test_id("event-log").locator("> li").last.click()
    expect(log_rows(page)).to_have_count(1)
    assert total > 1


def test_a_long_log_keeps_a_row_per_event_and_scrolls_back_to_the_first(page: Page, watch):
    query = "mode=orchestration&fail=shipping&fail=payment:compensate:100&seed=5"
    expected = page.request.get(f"/api/trace?{query}").json()["events"]
    page.goto(f"/?{query}&speed=max")
    page.get_by_test_id("play").click()
    status_is(page, "compensated", timeout=30_000)
    assert kinds(page) == [e["kind"] for e in expected]
    first = log_rows(page).first
    expect(first).to_be_hidden()  # far above the rows in view, it is not laid out
    page.get_by_test_id("event-log").hover()
    for _ in range(60):
        if first.is_visible():
            break
        page.mouse.wheel(0, -4000)
    expect(first).to_be_visible()
    first.click()
    expect(log_rows(page)).to_have_count(1)
    status_is(page, "paused")


def test_the_header_names_the_scenario_that_is_loaded(page: Page, watch):
    catalog = {s["name"]: s for s in page.request.get("/api/scenarios").json()["scenarios"]}
    for name in ("travel", "checkout"):
        page.goto(f"/?scenario={name}")
        tagline = page.get_by_test_id("tagline")
        expect(tagline).to_contain_text(catalog[name]["title"])
        expect(tagline).to_contain_text(catalog[name]["description"])
        expect(page).to_have_title(re.compile(re.escape(catalog[name]["title"])))
    assert "checkout" not in catalog["travel"]["description"].lower()
    expect(page.get_by_test_id("tagline")).not_to_contain_text(catalog["travel"]["title"])


def test_clicking_a_service_arms_a_failure_of_its_step(page: Page, watch):
    page.goto("/?mode=choreography&speed=max")
    page.get_by_test_id("node-InventoryService").click()
    expect(page.get_by_test_id("failure-popover")).to_be_visible()
    page.get_by_test_id("failure-kind").select_option("fail")
    page.get_by_test_id("arm-failure").click()
    expect(page.get_by_test_id("failure-popover")).to_be_hidden()
    expect(page.get_by_test_id("armed-failures")).to_contain_text("inventory")
    expect(page).to_have_url(re.compile(r"fail=inventory"))

    page.get_by_test_id("play").click()
    status_is(page, "compensated")
    expect(page.get_by_test_id("node-InventoryService")).to_have_attribute("data-state", "failed")


def test_an_armed_failure_can_be_removed(page: Page, watch):
    page.goto("/?mode=orchestration&fail=shipping&speed=max")
    armed = page.get_by_test_id("armed-failures")
    expect(armed.locator("li")).to_have_count(1)
    armed.get_by_role("button", name="Remove shipping").click()
    expect(armed.locator("li")).to_have_count(0)
    page.get_by_test_id("play").click()
    status_is(page, "completed")


def test_the_fail_menu_offers_every_kind_and_arms_one_live(page: Page, watch):
    page.goto("/?mode=orchestration")
    menu = page.get_by_test_id("fail-menu")
    values = menu.locator("option").evaluate_all("options => options.map(o => o.value)")
    for kind in ("fail", "transient", "timeout", "compensate", "crash", "drop", "duplicate"):
        assert f"payment:{kind}" in values
    page.get_by_test_id("step").click()
    wait_for_events(page, 1)
    menu.select_option("shipping:fail")
    expect(log_rows(page).last).to_have_attribute("data-kind", "failure.injected")
    page.get_by_test_id("speed").select_option("max")
    page.get_by_test_id("play").click()
    status_is(page, "compensated")


def test_arming_a_failure_while_rewound_forks_the_run_to_the_same_moment(page: Page, watch):
    page.goto("/?mode=orchestration&seed=7&speed=max")
    page.get_by_test_id("play").click()
    status_is(page, "completed")
    seek_to(page, "step.succeeded")
    expect(log_rows(page).last).to_have_attribute("data-kind", "step.succeeded")  # the seek landed
    position = log_rows(page).count()
    page.get_by_test_id("fail-menu").select_option("inventory:fail")
    expect(page.get_by_test_id("armed-failures")).to_contain_text("inventory")
    status_is(page, "paused")
    expect(log_rows(page)).to_have_count(position)
    expect(page.get_by_test_id("node-OrderService")).to_have_attribute("data-state", "committed")
    page.get_by_test_id("play").click()
    status_is(page, "compensated")
    expect(page).to_have_url(re.compile(r"seed=7"))


def test_the_keyboard_plays_steps_rewinds_resets_and_helps(page: Page, watch):
    page.goto("/?mode=hybrid")
    status_is(page, "paused")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(log_rows(page)).not_to_have_count(0)
    wait_for_events(page, 2)
    stepped = log_rows(page).count()
    page.keyboard.press("ArrowLeft")
    expect(log_rows(page)).to_have_count(stepped - 1)

    page.get_by_test_id("speed").select_option("max")
    page.get_by_test_id("clock").click()
    page.keyboard.press("Space")
    status_is(page, "completed")

    page.keyboard.press("r")
    expect(log_rows(page)).to_have_count(0)
    status_is(page, "paused")

    page.keyboard.press("?")
    expect(page.get_by_test_id("help-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("help-dialog")).to_be_hidden()

    page.keyboard.press("f")
    expect(page.get_by_test_id("fullscreen")).to_have_text("Exit fullscreen")
    page.keyboard.press("f")
    expect(page.get_by_test_id("fullscreen")).to_have_text("Fullscreen")


def test_an_embedded_scenario_autoplays_without_page_chrome(page: Page, watch):
    page.goto("/embed?mode=choreography&fail=inventory&autoplay=1&speed=max")
    status_is(page, "compensated")
    expect(page.get_by_test_id("fullscreen")).to_be_visible()
    expect(page.get_by_role("banner")).to_have_count(0)
    expect(page.get_by_role("contentinfo")).to_have_count(0)
    assert "saga.compensated" in kinds(page)


def test_compare_mode_runs_both_flavours_side_by_side_on_one_clock(page: Page, watch):
    page.goto("/?mode=compare&fail=inventory&speed=max")
    compare = page.get_by_test_id("compare")
    expect(compare).to_be_visible()
    expect(compare.get_by_test_id("node-bus")).to_be_visible()
    expect(compare.get_by_test_id("node-orchestrator")).to_be_visible()
    page.get_by_test_id("play").click()
    status_is(page, "compensated")
    modes = set(log_rows(page).evaluate_all("rows => rows.map(r => r.textContent)"))
    assert any("choreography" in text for text in modes)
    assert any("orchestration" in text for text in modes)
    expect(page.get_by_test_id("metrics")).to_contain_text("Choreography")
    expect(page.get_by_test_id("metrics")).to_contain_text("Orchestration")
    page.get_by_test_id("step-back").click()
    status_is(page, "paused")


def test_two_browsers_drive_their_own_runs_without_touching_each_other(browser, base_url):
    first = browser.new_context(base_url=base_url)
    second = browser.new_context(base_url=base_url)
    try:
        a, b = first.new_page(), second.new_page()
        a.goto("/?mode=orchestration&fail=payment&speed=max")
        b.goto("/?mode=choreography&speed=max")
        status_is(b, "paused")
        a.get_by_test_id("play").click()
        status_is(a, "compensated")
        expect(log_rows(b)).to_have_count(0)
        status_is(b, "paused")
        b.get_by_test_id("play").click()
        status_is(b, "completed")
        status_is(a, "compensated")
        assert "step.failed" not in kinds(b)
    finally:
        first.close()
        second.close()


def test_reduced_motion_turns_animation_into_instant_state_changes(browser, base_url):
    moving = browser.new_context(base_url=base_url)
    still = browser.new_context(base_url=base_url, reduced_motion="reduce")
    try:
        def animations_after_a_step(context) -> int:
            page = context.new_page()
            page.goto("/?mode=orchestration")
            status_is(page, "paused")
            page.get_by_test_id("step").click()
            page.get_by_test_id("step").click()
            order = page.get_by_test_id("node-OrderService")
            expect(order).to_have_attribute("data-state", "working")
            return page.evaluate("() => document.getAnimations().length")

        assert animations_after_a_step(moving) > 0
        assert animations_after_a_step(still) == 0
    finally:
        moving.close()
        still.close()


def test_a_bad_link_explains_the_valid_values_and_falls_back_to_defaults(page: Page, watch):
    page.goto("/?mode=telepathy&fail=nope:zap&speed=99")
    alert = page.get_by_test_id("alerts")
    expect(alert).to_contain_text("orchestration, choreography, hybrid")
    expect(alert).to_contain_text("nope")
    expect(page.get_by_test_id("mode-select")).to_have_value("orchestration")
    expect(page.get_by_test_id("speed")).to_have_value("1")
    page.get_by_test_id("step").click()
    wait_for_events(page, 1)


def test_the_orchestrator_goes_dark_when_it_crashes_and_replays_its_history(page: Page, watch):
    page.goto("/?mode=orchestration&fail=payment:crash&speed=max")
    page.get_by_test_id("play").click()
    status_is(page, "completed")
    seek_to(page, "orchestrator.crashed")
    status_is(page, "crashed")
    expect(page.get_by_test_id("node-orchestrator")).to_have_attribute("data-state", "crashed")
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("node-orchestrator")).to_have_attribute("data-state", "replaying")
    expect(page.get_by_test_id("node-orchestrator")).to_contain_text("replay")


def test_the_page_reconnects_after_a_server_restart_and_says_so(
    page: Page, watch, restartable_server
):
    watch.allow_network_errors = True
    page.goto(f"{restartable_server.url}/?mode=orchestration&seed=3")
    status_is(page, "paused")
    page.get_by_test_id("step").click()
    page.get_by_test_id("step").click()
    wait_for_events(page, 2)
    before = log_rows(page).count()

    restartable_server.stop()
    expect(page.get_by_test_id("notices")).to_contain_text("Lost the connection", timeout=15_000)
    restartable_server.start()
    expect(page.get_by_test_id("notices")).to_contain_text("Reconnected", timeout=20_000)
    expect(log_rows(page)).to_have_count(before, timeout=15_000)
    page.get_by_test_id("step").click()
    expect(log_rows(page)).to_have_count(before + 1)


@pytest.mark.parametrize("mode", MODES)
def test_a_compensation_in_progress_is_drawn_in_each_mode(page: Page, watch, mode, screenshot_dir):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/?mode={mode}&fail=shipping&seed=11&speed=max")
    page.get_by_test_id("play").click()
    status_is(page, "compensated")
    log = page.get_by_test_id("event-log")
    log.locator('> li[data-kind="compensation.started"]').nth(1).click()
    page.get_by_test_id("speed").select_option("1")
    page.get_by_test_id("step-back").click()
    page.get_by_test_id("step").click()
    expect(page.locator('[data-testid^="node-"][data-state="compensating"]').first).to_be_visible()
    page.wait_for_timeout(250)
    page.screenshot(path=str(screenshot_dir / f"compensation-{mode}.png"), full_page=True)
    expect(page.locator('[data-testid^="node-"][data-state="compensated"]').first).to_be_visible()
