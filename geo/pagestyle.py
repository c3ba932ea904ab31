"""The pages' own CSS and script: layout rules every page shares, and the date slider's week keys.

Plain text, kept out of ``geo/ui.py`` (which adds them to each page with
``st.html``) so that the one Streamlit module holds widgets and state only.
"""

from __future__ import annotations

#: The layout rules every page shares: the header, figures and legend kept short on phones and small
#: laptops so the map starts on the first screen; text colours that pass WCAG AA contrast.
PAGE_CSS = """
<style>
/* Less empty space above the title: Streamlit leaves 6rem for its toolbar. */
.stMainBlockContainer, [data-testid="stMainBlockContainer"] { padding-top: 4rem; padding-bottom: 2rem; }
h1 { font-size: 2rem !important; padding: 0.25rem 0 0.5rem 0 !important; }
/* Figures: a smaller value, so four of them fit a line and stay short. */
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[data-testid="stMetric"] { padding: 0; }
/* Captions are drawn at 0.6 opacity (3:1 on white, under WCAG AA's 4.5:1): opaque, in a grey of 7:1. */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *, small { color: #4a4d59 !important; }
/* Text from data files is written as a literal code span (geo.escaping.markdown_literal: the one Markdown
   construct Streamlit never acts on); in a caption it reads as the sentence's own words. */
[data-testid="stCaptionContainer"] code { font: inherit; background: none; padding: 0; }
/* The legend beside the map scrolls within the map's height rather than running below the fold. */
[data-testid="stColumn"] .legend-beside, [data-testid="stColumn"] details { max-height: 620px; overflow-y: auto; }
/* A refused data file: its problems as a readable table. */
.data-refusal table { border-collapse: collapse; margin: 0.5rem 0 1rem 0; }
.data-refusal th, .data-refusal td { border: 1px solid #c9c9d1; padding: 0.25rem 0.5rem; text-align: left; }
@media (max-width: 640px) {
  .stMainBlockContainer, [data-testid="stMainBlockContainer"] { padding: 3.5rem 0.75rem 1rem 0.75rem; }
  h1 { font-size: 1.45rem !important; line-height: 1.25 !important; }
  /* Streamlit stacks columns on phones: keep figures two by two instead of one per line. */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-flow: row wrap !important; gap: 0.5rem 1rem !important;
  }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 1 1 40% !important; min-width: 40% !important; width: auto !important;
  }
  [data-testid="stMetricValue"] { font-size: 1.25rem; }
  [data-testid="stMetricLabel"] p { font-size: 0.8rem; }
  [data-testid="stVerticalBlock"] { gap: 0.6rem; }
  [data-testid="stColumn"] details { max-height: none; }
}
/* The map's frame is titled by its own script once loaded (geo.map_aids), so both titles are matched.
   On short screens the map's frame is drawn smaller, so all of it fits under the figures (the map inside
   keeps its layout and shows a little more ground; clicks and keys work as at full size). */
@media (max-width: 640px) and (max-height: 900px) {
  iframe[title="streamlit_folium.st_folium"], iframe[title^="Map of"] { zoom: 0.78; width: 100% !important; }
}
@media (max-height: 760px) and (min-width: 641px) {
  .stMainBlockContainer, [data-testid="stMainBlockContainer"] { padding-top: 3.75rem; }
  h1 { font-size: 1.6rem !important; }
  [data-testid="stMetricValue"] { font-size: 1.3rem; }
  [data-testid="stVerticalBlock"] { gap: 0.6rem; }
  iframe[title="streamlit_folium.st_folium"], iframe[title^="Map of"] { zoom: 0.75; width: 100% !important; }
  [data-testid="stColumn"] details { max-height: 465px; }
}
</style>
"""


#: PageUp / PageDown on the date slider press the week buttons: the slider's own page is a tenth
#: of eleven years. Arrow keys keep the slider's day, Home / End its ends.
WEEK_KEYS_JS = """
<script>
(function () {
  if (window.sahelWeekKeys) { return; }
  window.sahelWeekKeys = true;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "PageUp" && event.key !== "PageDown") { return; }
    var slider = event.target.closest && event.target.closest(".st-key-w_date");
    if (!slider) { return; }
    var button = document.querySelector(event.key === "PageUp" ? ".st-key-w_week_next button"
                                                                : ".st-key-w_week_prev button");
    if (!button) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    button.click();
  }, true);
})();
</script>
"""
