"""Choosing the events in view: dates, windows, countries, types, text, URL round trips."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo import filters
from geo.view import View


def test_as_of_keeps_everything_started_by_the_date(events):
    view = View(as_of=date(2022, 2, 17))
    shown = filters.filter_events(events, view)
    assert (shown["start"] <= pd.Timestamp("2022-02-17")).all()
    assert set(shown["event_id"]) == set(events.loc[events["start"] <= "2022-02-17", "event_id"])
    assert "withdrawal-announced-2022-02-17" in set(shown["event_id"])
    assert "mali-demands-departure-2022-02-18" not in set(shown["event_id"])


def test_slider_ends(events):
    first, last = filters.date_bounds(events)
    assert first == events["start"].min().date()
    assert last >= date(2022, 8, 15)
    assert len(filters.filter_events(events, View(as_of=last))) == len(events)
    # On the first day only the events that start that day.
    assert set(filters.filter_events(events, View(as_of=first))["event_id"]) == {"islamists-take-north-2012"}


def test_window_keeps_overlapping_spans(events):
    view = View(as_of=date(2022, 8, 15), mode="window", date_from=date(2022, 6, 1), date_to=date(2022, 7, 31))
    shown = set(filters.filter_events(events, view)["event_id"])
    # The withdrawal (Feb–Aug 2022) overlaps June–July; the February announcement does not.
    assert {"barkhane-withdrawal-2022", "central-mali-massacre-2022-06", "kati-attack-2022-07"} <= shown
    assert "withdrawal-announced-2022-02-17" not in shown
    assert "tessit-attack-2022-08" not in shown


def test_window_with_earlier_events_faded(events):
    view = View(as_of=date(2022, 8, 15), mode="window", date_from=date(2022, 6, 1), date_to=date(2022, 7, 31))
    shown, status = filters.events_with_status(events, view, show_earlier=True)
    by_id = dict(zip(shown["event_id"], status, strict=True))
    assert by_id["withdrawal-announced-2022-02-17"] == "earlier"
    assert by_id["kati-attack-2022-07"] == "current"
    hidden, _ = filters.events_with_status(events, view, show_earlier=False)
    assert "withdrawal-announced-2022-02-17" not in set(hidden["event_id"])


def test_country_filter_uses_the_geometry_and_the_routes(events):
    niger = filters.filter_events(events, View(as_of=date(2022, 12, 31), countries=("NER",)))
    in_niger = set(events.loc[events["geo_country"] == "NER", "event_id"])
    assert in_niger and in_niger <= set(niger["event_id"])
    # The withdrawals start at Gao (their point is in Mali) but their routes end at Niamey.
    into_niger = set(niger["event_id"]) - in_niger
    assert into_niger == {"barkhane-withdrawal-2022"}
    assert set(niger.loc[niger["event_id"].isin(into_niger), "event_type"]) == {"troop_movement"}
    # Serval's entry (Bamako to Timbuktu) never leaves Mali.
    assert "serval-entry-2013" not in set(niger["event_id"])
    mali = set(filters.filter_events(events, View(as_of=date(2022, 12, 31), countries=("MLI",)))["event_id"])
    assert into_niger <= mali and "serval-entry-2013" in mali


def test_a_route_crosses_the_countries_its_geodesic_legs_cross():
    withdrawal = "Gao > Ansongo > Mali–Niger border crossing > Ayorou > Niamey"
    assert filters.route_countries(withdrawal) == ("MLI", "NER")
    assert filters.route_countries("Bamako > Timbuktu") == ("MLI",)
    assert filters.route_countries("Gao > Atlantis") == ()  # an unknown stop crosses nothing


def test_the_counts_say_what_a_movement_counts_as(events):
    niger = View(as_of=date(2022, 8, 15), countries=("NER",))
    note = filters.movement_count_note(events, niger)
    assert note.startswith("A troop movement counts once, in every country its route crosses")
    assert "Barkhane withdraws from Mali into Niger (MLI–NER)" in note
    assert filters.movement_count_note(events, View(as_of=date(2022, 8, 15))) is None


def test_bases_follow_the_country_filter():
    from geo.bases import base_status, load_bases

    bases = base_status(load_bases(), pd.Timestamp("2022-08-15"))
    assert set(bases["base_id"]) == {"gao", "kati", "niger"}
    niger = filters.bases_in_view(bases, View(as_of=date(2022, 8, 15), countries=("NER",)))
    assert set(niger["base_id"]) == {"niger"}
    mali = filters.bases_in_view(bases, View(as_of=date(2022, 8, 15), countries=("MLI",)))
    assert set(mali["base_id"]) == {"gao", "kati"}
    assert len(filters.bases_in_view(bases, View(as_of=date(2022, 8, 15)))) == 3


def test_the_map_frames_what_the_filter_leaves(events):
    from geo.movements import route_line

    niger = View(as_of=date(2022, 8, 15), countries=("NER",))
    in_view = filters.filter_events(events, niger)
    (south, west), (north, east) = filters.view_bounds(in_view)
    # Niamey (2.11 E, 13.5 N) and Gao (-0.04 E, 16.3 N), not Bamako (-8 E) or Paris (48.9 N).
    assert -0.1 < west < 0.0 and 2.1 < east < 2.2 and 13.5 < south < 13.6 and 16.2 < north < 16.3
    every = filters.view_bounds(filters.filter_events(events, View(as_of=date(2022, 8, 15))))
    assert every[0][1] < -7.9 and every[1][0] > 48.8  # Bamako and Paris
    # A single place keeps its surroundings; nothing left is no extent.
    paris = in_view.iloc[:0]
    assert filters.view_bounds(paris) is None
    one = filters.view_bounds(in_view[in_view["location"] == "Niamey"])
    assert one[1][0] - one[0][0] >= 2.0 and one[1][1] - one[0][1] >= 2.0
    # Routes widen the extent.
    route = route_line("Bamako > Timbuktu")
    import geopandas as gpd

    wider = filters.view_bounds(in_view, gpd.GeoDataFrame(geometry=[route], crs="EPSG:4326"))
    assert wider[0][1] < -7.9


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("Elysee", "Élysée"),
        ("ELYSÉE", "Élysée"),
        ("Tombouctou", "Timbuktu"),
        ("tombouctou", "Timbuktu"),
        ("Gueta", "Goïta"),
        ("goita", "Goïta"),
        ("keita", "Keïta"),
        ("CEDEAO", "ECOWAS"),
        ("mali-niger border", "Mali–Niger border"),
        ("francois hollande", "François Hollande"),
    ],
)
def test_search_forgives_accents_case_and_other_names(events, typed, same_as):
    def found(text):
        return set(filters.filter_events(events, View(as_of=date(2022, 12, 31), text=text))["event_id"])

    assert found(same_as), f"{same_as!r} should find something in events.csv"
    assert found(typed) == found(same_as)


def test_search_says_what_matched(events):
    assert filters.search_notes(events, "Tombouctou") == ["'Tombouctou' matched place Timbuktu"]
    assert filters.search_notes(events, "Elysee") == ["'Elysee' matched 'élysée' (accents and case ignored)"]
    assert filters.search_notes(events, "Gueta") == ["'Gueta' matched actor Goïta"]
    assert filters.search_notes(events, "Gao") == []  # found as typed: nothing to explain
    assert filters.search_notes(events, "zzzq") == ["'zzzq' matched nothing"]
    assert filters.search_notes(events, "") == []


def test_search_finds_other_spellings_in_imported_text():
    from geo import search

    imported = pd.Series(["clashes near ménaka", "attack in ségou region", "patrol at tessit"], dtype="string")
    assert search.search_mask(imported, "Menaka").tolist() == [True, False, False]
    assert search.search_mask(imported, "Segu").tolist() == [False, True, False]  # GeoNames: Segu = Ségou
    assert search.search_mask(imported, "SEGOU tessit").tolist() == [False, False, False]
    assert search.explain(imported, "Segu") == ["'Segu' matched place Ségou"]


def test_type_and_text_filters(events):
    attacks = filters.filter_events(events, View(as_of=date(2022, 12, 31), types=("attack",)))
    assert set(attacks["event_type"]) == {"attack"}
    assert {"kati-attack-2022-07", "tessit-attack-2022-08", "gao-base-attack-2022-01"} <= set(attacks["event_id"])
    gao = filters.filter_events(events, View(as_of=date(2022, 12, 31), text="GAO base"))
    assert "gao-base-left-2022-08-15" in set(gao["event_id"])
    assert all("gao" in " ".join(map(str, r)).lower() for r in gao[["title", "description", "location"]].values)


def test_filters_that_match_nothing_return_an_empty_frame(events):
    none = filters.filter_events(events, View(as_of=date(2022, 12, 31), text="no such words anywhere"))
    assert none.empty
    assert filters.summary_counts(none) == {"events": 0, "fatalities": 0, "unknown_toll": 0}


def test_counts_add_up(events):
    counts = filters.summary_counts(events)
    assert counts["events"] == len(events)
    assert counts["fatalities"] == int(events["fatalities"].sum())
    assert counts["fatalities"] == 42 + 132 + 48
    assert counts["unknown_toll"] == int(events["fatalities"].isna().sum())


def test_step_to_previous_and_next_event(events):
    assert filters.step_date(events, date(2022, 2, 17), 1) == date(2022, 2, 18)
    assert filters.step_date(events, date(2022, 2, 17), -1) == date(2022, 2, 16)
    # Between events, it goes to the nearest one in that direction.
    later = min(day for day in filters.event_dates(events) if day > date(2022, 3, 1))
    assert filters.step_date(events, date(2022, 3, 1), 1) == later
    first, last_event = filters.event_dates(events)[0], filters.event_dates(events)[-1]
    assert filters.step_date(events, first, -1) == first
    assert filters.step_date(events, last_event, 1) == last_event


def test_recency_fades_old_events(events):
    view = View(as_of=date(2022, 8, 15))
    shown = filters.filter_events(events, view)
    status = dict(zip(shown["event_id"], filters.recency(shown, view), strict=True))
    assert status["last-unit-crosses-2022-08-15"] == "current"
    assert status["coup-2020-08"] == "earlier"
    assert set(np.unique(list(status.values()))) == {"current", "earlier"}


def test_count_rows_matches_the_events_taken(events):
    views = [View(as_of=date(2022, 8, 15)), View(as_of=date(2022, 8, 15), countries=("NER",)),
             View(as_of=date(2012, 1, 1), text="zzz no such word"),
             View(as_of=date(2022, 8, 15), mode="window", date_from=date(2022, 1, 1), date_to=date(2022, 6, 30))]  # fmt: skip
    counts = [filters.count_rows(events, filters.rows_in_view(events, v)) for v in views]
    assert counts == [len(filters.filter_events(events, v)) for v in views]
    assert counts[0] > counts[1] > 0 and counts[2] == 0


def test_events_are_placed_at_the_most_precise_date_or_the_articles(events):
    # Tessit: 'this month' (August 2022) in the articles, 7 August 2022 on the public record.
    view = View(as_of=date(2022, 8, 3))
    assert "tessit-attack-2022-08" not in set(filters.filter_events(events, view)["event_id"])
    articles = filters.filter_events(events, view.with_changes(dates="articles"))
    assert "tessit-attack-2022-08" in set(articles["event_id"])
    tessit = articles.set_index("event_id").loc["tessit-attack-2022-08"]
    assert tessit["date_label"] == "August 2022" and tessit["start"] == pd.Timestamp("2022-08-01")
    assert articles["start"].is_monotonic_increasing
    # Both choices see every event by the end, and count the same rows they take.
    last = filters.date_bounds(events)[1]
    for dates in ("precise", "articles"):
        every = View(as_of=last, dates=dates)
        assert len(filters.filter_events(events, every)) == len(events)
        rows = filters.rows_in_view(events, every)
        assert filters.count_rows(events, rows) == len(events)
    # A window in the articles' dates keeps what overlaps it there.
    window = View(as_of=last, mode="window", date_from=date(2022, 8, 1), date_to=date(2022, 8, 5), dates="articles")
    assert "tessit-attack-2022-08" in set(filters.filter_events(events, window)["event_id"])
    assert "tessit-attack-2022-08" not in set(
        filters.filter_events(events, window.with_changes(dates="precise"))["event_id"]
    )
