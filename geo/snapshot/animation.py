"""The animated GIF: the map stepping through a view's range, one frame per event date or every N days."""

from __future__ import annotations

import io
from datetime import date

import geopandas as gpd
import pandas as pd

from geo import filters
from geo.events import format_date
from geo.snapshot.options import DEFAULT_OPTIONS, Progress, SnapshotError, SnapshotOptions, canonical_view
from geo.snapshot.sheet import build_sheet
from geo.snapshot.static import _RENDER_LOCK, _figure, _rc
from geo.view import View


def animation_dates(events: gpd.GeoDataFrame, view: View, step_days: int | None = None) -> list[date]:
    """Return the dates an animation of ``view`` steps through.

    The range is the window in 'window' mode, else from the first matching event to the view's date. With
    ``step_days`` None the steps are the days on which matching events start (the Play button's stops),
    plus both ends; otherwise every ``step_days`` days, plus the last day.
    """
    view = canonical_view(view)
    first, last = view.window
    if view.mode == "as_of":
        everything = filters.filter_events(events, view)
        if everything.empty:
            return [last.date()]
        first = everything["start"].min()
    if step_days is not None:
        if step_days < 1:
            raise SnapshotError(f"step_days {step_days!r} must be 1 or more")
        days = list(pd.date_range(first, last, freq=f"{int(step_days)}D").date)
    else:
        matching = filters.filter_events(events, view.with_changes(mode="window", date_from=first.date(),
                                                                   date_to=last.date()))  # fmt: skip
        days = [d for d in filters.event_dates(matching) if first.date() <= d <= last.date()]
        days.insert(0, first.date())
    days.append(last.date())
    return sorted(set(days))


def _frame_view(view: View, day: date) -> View:
    if view.mode == "window":
        return view.with_changes(as_of=day, date_to=day)
    return view.with_changes(as_of=day)


def gif_bytes(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: View,
    options: SnapshotOptions = DEFAULT_OPTIONS,
    *,
    progress: Progress | None = None,
) -> bytes:
    """Return an animated GIF of the map stepping through :func:`animation_dates`, the date on every frame.

    Every frame keeps the extent of the whole view, so marks do not jump. ``progress(done, total)`` is
    called after each frame (for a progress bar).
    """
    from PIL import Image

    view = canonical_view(view)
    days = animation_dates(events, view, options.step_days)
    if len(days) > options.max_frames:
        raise SnapshotError(
            f"the animation would have {len(days)} frames, more than {options.max_frames}; "
            "choose a shorter range or a longer step"
        )
    whole = build_sheet(events, sources, bases, view, options)
    frames = []
    with _RENDER_LOCK, _rc():
        for i, day in enumerate(days):
            sheet = build_sheet(events, sources, bases, _frame_view(view, day), options, frame=whole.frame,
                                zoom=whole.scene.zoom)  # fmt: skip
            fig = _figure(sheet, dpi=options.frame_dpi, frame_date=format_date(day, "day"))
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=options.frame_dpi, metadata={"Software": None}, facecolor="white")
            rgb = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
            frames.append(rgb.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
            if progress is not None:
                progress(i + 1, len(days))
    durations = [options.frame_ms] * len(frames)
    durations[-1] = max(options.frame_ms, 2500)  # linger on the last frame before looping
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   optimize=False, comment=" ".join(whole.attribution).encode("utf-8"))  # fmt: skip
    return out.getvalue()
