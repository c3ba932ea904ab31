"""A test app for the harness: a slider, and a button whose run takes three seconds.

Using the slider while that run is going makes Streamlit stop it and start the
next run at once, with no idle moment between them (tests/browser/test_harness.py).
"""

import time
from datetime import date, timedelta

import streamlit as st

day = st.slider("Day", min_value=date(2022, 1, 1), max_value=date(2022, 12, 31), value=date(2022, 2, 17),
                step=timedelta(days=1), key="day")  # fmt: skip
st.write(f"Day shown: {day.isoformat()}")
if st.button("Slow run", key="slow"):
    time.sleep(3)  # long enough for a key press to land in the middle of the run
st.write("Run complete")
