"""Popups as HTML: an event's title, dates, place, readings and the articles and references behind it."""

from geo import popups, record


def test_popup_shows_the_articles_and_the_public_record(events, sources):
    row = events.set_index("event_id", drop=False).loc["tessit-attack-2022-08"]
    popup = popups.popup_html(row, sources)
    assert "the articles: August 2022 · the public record: 7 August 2022 [R33; R34]" in popup
    assert "<a href='https://crisis24.garda.com/fr/product/524406'" in popup
    # Text from the data is escaped: a place with markup in it stays text.
    tricky = row.copy()
    tricky["record_place"] = "<script>alert(1)</script>"
    assert "<script>" not in popups.popup_html(tricky, sources)
    # An event the record adds nothing to has no record line.
    plain = events.set_index("event_id", drop=False).loc["withdrawal-announced-2022-02-17"]
    assert "public record" not in popups.popup_html(plain, sources)


def test_a_reference_the_table_lacks_is_named_without_a_link():
    references = record.load_references()
    known = references["ref_id"].iloc[0]
    links = record.reference_links(f"{known}; R999", references)
    assert links[0][0] == known and links[0][2].startswith("http")
    assert links[1] == ("R999", "R999", "")
    # The table is read into a dict once; a second call answers the same.
    assert record.reference_links(f"{known}; R999", references) == links
