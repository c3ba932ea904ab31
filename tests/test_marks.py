"""Marks as plain GeoJSON features: where each event is drawn, and how marks at one place are spread."""

from geo import marks


def test_colocated_marks_are_spread_but_keep_true_coordinates(events, sources):
    lat = events["latitude"].to_numpy()
    lon = events["longitude"].to_numpy()
    shown_lat, shown_lon = marks.spread_colocated(lat, lon)
    positions = set(zip(shown_lat.round(6), shown_lon.round(6), strict=True))
    assert len(positions) == len(events)
    # At zoom 5 one pixel is about 0.04 degrees: a ring of a few pixels, never far from the place.
    assert max(abs(shown_lat - lat).max(), abs(shown_lon - lon).max()) < 1.0
    # Zooming in shrinks the ring in degrees (it stays the same on screen).
    near_lat, _ = marks.spread_colocated(lat, lon, zoom=9)
    assert abs(near_lat - lat).max() < abs(shown_lat - lat).max() / 10
