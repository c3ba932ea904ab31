"""A Streamlit page holding exactly one ``st_folium`` map of the Sahel, and nothing else.

The baseline of ``benchmarks/bench_first_map.py`` and the page the tier-3
harness test loads: whatever a real page adds on top of this is the page's own
cost. No tiles, so no tile server is needed.
"""

import folium
from streamlit_folium import st_folium

# Centre of the Sahel band, roughly Gao (Mali); folium takes (lat, lon).
SAHEL_CENTER = (16.0, -1.0)

m = folium.Map(location=SAHEL_CENTER, zoom_start=4, tiles=None)
st_folium(m, key="bare_map", height=400, returned_objects=[])
