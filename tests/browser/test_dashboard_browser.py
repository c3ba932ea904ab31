"""Tier 3: the dashboard in Debian's Chromium, used as a person would, with CDN assets served locally.

The map's steady state is watched, not a moment: after a drag, a zoom click,
a popup or a link, the map must stay where the user left it and the app idle
(``STEADY_S`` seconds, reruns and map moves counted).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse, urlsplit

from harness import (
    FOLIUM_IFRAME,
    folium_frame,
    install_run_counter,
    metric_value,
    new_offline_page,
    rerun,
    runs,
    url_params,
    wait_for_app,
    wait_until_settled,
)
from playwright.sync_api import expect
from shapely import LineString, Point

from geo import borders, filters
from geo.events import load_events
from geo.movements import route_line
from geo.style import COUNTRY_FILL
from geo.view import View

EVENTS = load_events()
FIRST_DAY, LAST_DAY = filters.date_bounds(EVENTS)
MARKS = "path.event-mark"
#: How long the map and the app are watched after an action.
STEADY_S = 20
CONTROL = ".sahel-time"
PLAY = ".sahel-time-play"

# Counts the map's own moves (each moveend) inside its iframe.
MOVE_COUNTER = """() => {
    if (window.movesSeen === undefined) {
        window.movesSeen = 0;
        window.map.on("moveend", () => { window.movesSeen += 1; });
    }
    return window.movesSeen;
}"""
MAP_VIEW = "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"


def _metric(page, label: str) -> str:
    return metric_value(page, label).inner_text().strip()


def _slider(page):
    """The date slider's keyboard-operable input (Streamlit draws it with react-aria)."""
    return page.locator("[data-testid='stSlider'] input[type='range']").first


def _params(page) -> dict[str, str]:
    return {key: values[-1] for key, values in url_params(page).items()}


def _url_view(page) -> tuple[float, float, int]:
    params = _params(page)
    return float(params["lat"]), float(params["lon"]), int(params["zoom"])


def _watch(page, frame, seconds: float = STEADY_S) -> dict:
    """Watch the page for ``seconds``: reruns started, map moves, and the map's view and URL at both ends."""
    frame.evaluate(MOVE_COUNTER)
    before = {"runs": runs(page)["started"], "moves": frame.evaluate(MOVE_COUNTER), "view": frame.evaluate(MAP_VIEW),
              "url": page.url}  # fmt: skip
    page.wait_for_timeout(seconds * 1000)  # the observation window itself, not a wait for something
    return {
        "reruns": runs(page)["started"] - before["runs"],
        "moves": frame.evaluate(MOVE_COUNTER) - before["moves"],
        "view_before": before["view"],
        "view_after": frame.evaluate(MAP_VIEW),
        "url_before": before["url"],
        "url_after": page.url,
    }


def _assert_held(watched: dict) -> None:
    assert watched["reruns"] == 0, watched
    assert watched["moves"] == 0, watched
    assert watched["view_after"] == watched["view_before"], watched
    assert watched["url_after"] == watched["url_before"], watched


def _expect_url_records(page, view: list) -> None:
    """Wait until the URL holds the map's view (Streamlit's frontend writes it a moment after the run ends)."""
    lat, lon, zoom = view
    expect(page).to_have_url(re.compile(rf"lat={lat:.4f}&lon={lon:.4f}&zoom={zoom}(&|$)"))


def test_map_shows_countries_border_and_every_event(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    # Natural Earth countries drawn as vector shapes: the map reads with no tiles.
    expect(frame.locator("path.leaflet-interactive").filter(visible=True).first).to_be_visible()
    assert frame.locator("path.leaflet-interactive").count() > 20
    # Every country of the base layer, which the map fetched as a file rather than carried in its script.
    expect(frame.locator(f"path[fill='{COUNTRY_FILL}']")).to_have_count(len(borders.countries_frame()))
    expect(frame.locator(MARKS)).to_have_count(len(EVENTS))
    assert _metric(page, "Events in view") == str(len(EVENTS))
    assert frame.locator(".country-label").get_by_text("Niger", exact=True).count() == 1
    # The legend stands beside the map, outside its iframe.
    assert page.locator("#map-legend").is_visible()
    assert page.offline.aborted_cdn_assets == []
    assert not [u for u in page.offline.served if "leaflet" in u or "jquery" in u], "the map used a CDN"
    assert frame.locator(".leaflet-tile-loaded").count() == 0  # no web tiles unless asked
    page.screenshot(path=screenshots_dir / "dashboard_initial.png", full_page=True)


def test_live_map_works_with_every_external_request_aborted(dashboard, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    install_run_counter(context)
    aborted, fetched = [], []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
            fetched.append(route.request.url)
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    try:
        page = context.new_page()
        page.goto(dashboard)
        wait_until_settled(page)
        frame = folium_frame(page)
        expect(frame.locator(MARKS)).to_have_count(len(EVENTS))
        assert frame.evaluate("() => typeof L === 'object' && typeof jQuery === 'function'")
        assert aborted == []
        assert {"leaflet.js", "leaflet.css", "jquery.min.js"} <= {u.rsplit("/", 1)[-1] for u in fetched
                                                                  if "/app/static/" in u}  # fmt: skip
        assert [u for u in fetched if re.search(r"/app/static/generated/countries-[0-9a-f]{16}\.json$", u)]
    finally:
        context.close()


def test_drag_moves_the_map_once_and_it_stays(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    frame.evaluate(MOVE_COUNTER)
    start = runs(page)["started"]
    box = page.locator(FOLIUM_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with rerun(page):
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 160, y + 90, steps=12)
        page.mouse.up()
    dragged = frame.evaluate(MAP_VIEW)
    assert dragged[1] > -1.0  # dragged left: the centre went east of the default (15.5, -1.5)
    _expect_url_records(page, dragged)
    watched = _watch(page, frame)
    _assert_held(watched)
    assert watched["view_after"] == dragged
    assert runs(page)["started"] - start == 1  # the drag's one report
    page.screenshot(path=screenshots_dir / "dashboard_dragged.png")


def test_zoom_click_zooms_once_and_it_stays(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-08-15")
    frame = folium_frame(page)
    start = runs(page)["started"]
    with rerun(page):
        frame.locator(".leaflet-control-zoom-in").click()
    zoomed = frame.evaluate(MAP_VIEW)
    assert zoomed[2] == 6
    _expect_url_records(page, zoomed)
    watched = _watch(page, frame)
    _assert_held(watched)
    assert watched["view_after"] == zoomed
    assert runs(page)["started"] - start == 1


def test_link_with_centre_and_zoom_opens_there_and_holds(dashboard, app_page):
    page = app_page(dashboard + "?mode=as_of&date=2022-08-15&lat=15.8&lon=0.5&zoom=7")
    frame = folium_frame(page)
    _expect_url_records(page, [15.8, 0.5, 7])
    # Exactly the link's view: Leaflet re-fits the map to st_folium's iframe after it is made, and
    # would then work the centre out from whole pixels (15.7962...) but for geo.map_aids.SteadyCentre.
    assert frame.evaluate(MAP_VIEW) == [15.8, 0.5, 7]
    watched = _watch(page, frame)
    _assert_held(watched)
    assert _url_view(page) == (15.8, 0.5, 7)


def test_first_slider_move_costs_one_rerun_and_keeps_the_links_view(dashboard, app_page):
    """The first swap of the layers re-sizes the map's frame; that must not read as a move of the map."""
    page = app_page(dashboard + "?mode=as_of&date=2022-08-15&lat=15.8&lon=0.5&zoom=7")
    frame = folium_frame(page)
    start = runs(page)["started"]
    _slider(page).focus()
    with rerun(page):
        page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"date=2022-08-14"))
    watched = _watch(page, frame)
    _assert_held(watched)
    assert runs(page)["started"] - start == 1  # the key's run, and no report of a move nobody made
    assert frame.evaluate(MAP_VIEW) == [15.8, 0.5, 7]
    assert _url_view(page) == (15.8, 0.5, 7)


def test_popup_reads_its_sources_and_stays_open(dashboard, app_page, screenshots_dir):
    url = dashboard + "?date=2022-02-17&country=FRA&q=allies+announce&lat=48.85&lon=2.35&zoom=6"
    page = app_page(url)
    frame = folium_frame(page)
    expect(frame.locator(MARKS)).to_have_count(1)
    start = runs(page)["started"]
    frame.locator(MARKS).first.click()
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Reported by 5 of 5 articles")
    expect(popup).to_contain_text("17 February 2022")
    expect(popup).to_contain_text("France and partners officially announce withdrawal from Mali")
    # The popup may pan the map to fit (one report, one rerun); after that nothing moves.
    wait_until_settled(page)
    _expect_url_records(page, frame.evaluate(MAP_VIEW))
    watched = _watch(page, frame)
    _assert_held(watched)
    assert runs(page)["started"] - start <= 1
    expect(popup).to_be_visible()
    page.screenshot(path=screenshots_dir / "dashboard_popup.png")
    frame.locator(".leaflet-popup-close-button").click()
    expect(popup).to_have_count(0)


def test_slider_from_first_to_last_date_changes_the_marks(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    thumb = _slider(page)
    thumb.focus()
    with rerun(page):
        page.keyboard.press("Home")
    expect(frame.locator(MARKS)).to_have_count(1)
    assert _metric(page, "Events in view") == "1"
    page.screenshot(path=screenshots_dir / "dashboard_first_date.png")
    thumb.focus()
    with rerun(page):
        page.keyboard.press("End")
    expect(frame.locator(MARKS)).to_have_count(len(EVENTS))
    assert "date=" in page.url
    # Only this run's three layer groups (bases, movements, events) stay listed, not every earlier run's.
    assert frame.evaluate("() => window.feature_group.length") == 3


def test_date_field_and_week_keys_pick_a_day(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-08-15")
    frame = folium_frame(page)
    # Streamlit's date field is three segments (year, month, day); typing fills them in turn, and
    # the value is taken when the field loses focus.
    with rerun(page):
        page.locator(".st-key-w_day [role=spinbutton]").first.click()
        page.keyboard.type("20220217")
        page.locator("h1").first.click()
    expect(page).to_have_url(re.compile(r"date=2022-02-17"))
    expect(frame.locator(MARKS)).to_have_count(int((EVENTS["start"] <= "2022-02-17").sum()))
    thumb = _slider(page)
    for key, expected in (("ArrowRight", date(2022, 2, 18)), ("End", LAST_DAY), ("Home", FIRST_DAY)):
        thumb.focus()
        with rerun(page):
            page.keyboard.press(key)
        expect(page).to_have_url(re.compile(f"date={expected.isoformat()}"))
    expect(frame.locator(MARKS)).to_have_count(1)


def test_page_keys_on_the_slider_step_a_week(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-02-17")
    for key, expected in (("PageUp", date(2022, 2, 24)), ("PageDown", date(2022, 2, 17))):
        _slider(page).focus()
        page.keyboard.press(key)
        expect(page).to_have_url(re.compile(f"date={expected.isoformat()}"), timeout=30_000)


def test_slider_keeps_the_users_zoom(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-08-15")
    frame = folium_frame(page)
    with rerun(page):
        frame.locator(".leaflet-control-zoom-in").click()
    expect(page).to_have_url(re.compile(r"zoom=6"))
    # Tag the live map element: if the slider rebuilt the map, the tag would be gone.
    frame.evaluate("() => { document.querySelector('.leaflet-container').dataset.sameMap = 'yes'; }")
    thumb = _slider(page)
    thumb.focus()
    with rerun(page):
        page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"date=2022-08-14"))
    assert frame.evaluate("() => document.querySelector('.leaflet-container').dataset.sameMap") == "yes"
    assert _params(page)["zoom"] == "6"
    assert frame.evaluate(MAP_VIEW)[2] == 6


def test_country_filter_niger_shows_events_in_niger_and_the_routes_into_it(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Countries").click()
    with rerun(page):
        page.get_by_role("option", name="Niger (NER)", exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    # In Niger, or a troop movement whose route crosses into it (geo.filters.in_countries).
    in_niger = filters.filter_events(EVENTS, View(as_of=date(2022, 12, 31), countries=("NER",)))
    assert set(in_niger["geo_country"]) == {"NER", "MLI"} and set(in_niger["event_type"]) >= {"troop_movement"}
    expect(frame.locator(MARKS)).to_have_count(len(in_niger))
    assert _metric(page, "Events in view") == str(len(in_niger))
    assert parse_qs(urlparse(page.url).query)["country"] == ["NER"]
    tooltips = []
    for i in range(len(in_niger)):
        frame.locator(MARKS).nth(i).hover()
        tooltip = frame.locator(".leaflet-tooltip")
        expect(tooltip).to_have_count(1)
        tooltips.append(tooltip.inner_text())
    assert sorted(t.split(" (")[0] for t in tooltips) == sorted(in_niger["title"])
    page.screenshot(path=screenshots_dir / "dashboard_niger.png")


def test_shared_url_restores_the_same_view(dashboard, app_page, browser):
    page = app_page(dashboard)
    folium_frame(page)
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Event types").click()
    page.keyboard.type("attack")
    with rerun(page):
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    # Back through the event days (each event at its most precise date), from the default last day.
    last = filters.date_bounds(EVENTS)[1]
    before = [d.isoformat() for d in reversed(filters.event_dates(EVENTS)) if d < last][:3]
    for expected in before:
        with rerun(page):
            page.get_by_role("button", name="Previous").click()
        expect(page).to_have_url(re.compile(f"date={expected}"))
    shared = page.url
    params = parse_qs(urlparse(shared).query)
    assert params["type"] == ["attack"] and "date" in params
    count = _metric(page, "Events in view")

    other = app_page(shared)
    frame = folium_frame(other)
    assert _metric(other, "Events in view") == count
    expect(frame.locator(MARKS)).to_have_count(int(count))
    assert parse_qs(urlparse(other.url).query)["date"] == params["date"]
    assert _url_view(other) == _url_view(page)


def _control_day(frame) -> date:
    return date.fromisoformat(frame.locator(CONTROL).get_attribute("data-day"))


def test_play_from_the_default_page_plays_then_pause_holds(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    assert _control_day(frame) == LAST_DAY  # the default date, after the last event
    frame.locator(PLAY).click()
    # After the last event, playback starts again from the first one, and says so.
    expect(frame.locator(".sahel-time-note")).to_contain_text("starts from the first event")
    expect(frame.locator(PLAY)).to_have_text(re.compile("Pause"))
    frame.locator(".sahel-time-speed").select_option(label="a year per second")
    frame.wait_for_function("() => window.sahelTime.day > window.sahelTime.data.from + 400")
    seen = _control_day(frame)
    assert FIRST_DAY < seen < LAST_DAY
    assert frame.locator(MARKS).count() < len(EVENTS)  # marks of later dates are not shown yet
    frame.wait_for_function("(day) => window.sahelTime.day > day + 200", arg=(seen - date(1970, 1, 1)).days)
    assert _control_day(frame) > seen  # the date moves on with no rerun per step

    with rerun(page):
        frame.locator(PLAY).click()
    paused = _control_day(frame)
    expect(page).to_have_url(re.compile(f"date={paused.isoformat()}"))
    _expect_url_records(page, frame.evaluate(MAP_VIEW))
    shown = int((EVENTS["start"] <= paused.isoformat()).sum())
    expect(frame.locator(MARKS)).to_have_count(shown)
    assert _metric(page, "Events in view") == f"{shown:,}"
    assert page.locator(".st-key-w_date").get_by_text(f"{paused.day} {paused.strftime('%b')} {paused.year}").count()
    watched = _watch(page, frame, seconds=10)
    _assert_held(watched)
    assert _control_day(frame) == paused
    expect(frame.locator(MARKS)).to_have_count(shown)
    page.screenshot(path=screenshots_dir / "dashboard_paused.png")


def test_playback_reaches_15_august_with_the_force_on_its_route(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-02-16")
    frame = folium_frame(page)
    routes = {row.event_id: LineString(route_line(row.route).coords)
              for row in EVENTS[EVENTS["event_type"] == "troop_movement"].itertuples()}  # fmt: skip
    frame.locator(".sahel-time-speed").select_option(label="a month per second")
    frame.locator(PLAY).click()
    samples = []
    target = (date(2022, 8, 15) - date(1970, 1, 1)).days
    while True:
        sample = frame.evaluate(
            """() => ({day: window.sahelTime.day, playing: window.sahelTime.playing,
                 positions: (window.sahelTime.trackParts || []).filter(p => window.map.hasLayer(p.here))
                   .map(p => [p.move.id, p.here.getLatLng().lat, p.here.getLatLng().lng])})"""
        )
        samples.append(sample)
        if sample["day"] >= target or not sample["playing"]:
            break
        frame.wait_for_timeout(150)  # the sampling interval
    assert samples[-1]["day"] >= target
    with_positions = [s for s in samples if s["positions"]]
    assert len(with_positions) >= 5, samples
    for sample in with_positions:
        for move_id, lat, lon in sample["positions"]:
            # (lon, lat) in degrees: on the drawn route, to a hundredth of a degree (about a kilometre).
            assert routes[move_id].distance(Point(lon, lat)) < 0.01, (sample, move_id)
    days = [s["day"] for s in samples]
    assert days == sorted(days)
    # Every withdrawal drawn as a movement is under way between its start and the end of the sampled span.
    withdrawals = EVENTS[(EVENTS["event_type"] == "troop_movement") & EVENTS["event_id"].str.contains("withdrawal")]
    assert len(withdrawals) and {move_id for s in with_positions for move_id, *_ in s["positions"]} >= set(
        withdrawals["event_id"]
    )
    expect(frame.locator(CONTROL)).to_have_attribute("data-day", re.compile(r"2022-(0[89]|1[0-2])-\d\d"))


def test_week_buttons_step_seven_days(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-02-17")
    with rerun(page):
        page.get_by_role("button", name="+ 1 week").click()
    expect(page).to_have_url(re.compile(f"date={(date(2022, 2, 17) + timedelta(days=7)).isoformat()}"))
    with rerun(page):
        page.get_by_role("button", name="− 1 week").click()
    expect(page).to_have_url(re.compile(r"date=2022-02-17"))


# Records, in the top page, when the map's frame and the date slider first appear, and the map's first report.
FIRST_SEEN = """
(() => {
  if (window.top !== window) { return; }
  window.__firstSeen = {};
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (data && data.type === "streamlit:setComponentValue" && !window.__firstSeen.report) {
      window.__firstSeen.report = performance.now();
    }
  });
  new MutationObserver(() => {
    const seen = window.__firstSeen;
    if (!seen.map && document.querySelector(FRAME)) { seen.map = performance.now(); }
    if (!seen.slider && document.querySelector("[data-testid='stSlider']")) { seen.slider = performance.now(); }
  }).observe(document, {subtree: true, childList: true});
})();
""".replace("FRAME", repr(FOLIUM_IFRAME))


def test_the_map_comes_before_the_controls_which_follow_its_first_report(dashboard, browser):
    """The sidebar's widgets would delay the map's frame (issue 16): they come in the run its report starts."""
    page = new_offline_page(browser)
    try:
        page.context.add_init_script(FIRST_SEEN)
        page.goto(dashboard)
        wait_until_settled(page)
        expect(_slider(page)).to_be_visible()
        seen = page.evaluate("() => window.__firstSeen")
        # The controls were not sent with the map: they came with the run the map's report started.
        assert seen["map"] < seen["report"] < seen["slider"], seen
        assert runs(page)["started"] == 2  # the first run and the report's: no run added for the controls
        expect(page.get_by_role("button", name="Show the controls")).to_have_count(0)
    finally:
        page.context.close()


def test_the_controls_are_one_click_away_when_the_map_never_reports(dashboard, browser):
    page = new_offline_page(browser)
    try:
        # The map's component never loads, so it never draws nor reports its view.
        page.route("**/component/streamlit_folium*/**", lambda route: route.abort())
        page.goto(dashboard)
        wait_for_app(page)
        show = page.get_by_role("button", name="Show the controls")
        expect(show).to_be_visible()
        assert runs(page)["started"] == 1
        expect(_slider(page)).to_have_count(0)
        show.click()
        expect(_slider(page)).to_be_visible()
        expect(show).to_have_count(0)
    finally:
        page.context.close()
