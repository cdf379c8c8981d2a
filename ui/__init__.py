"""Streamlit-side helpers of the Ascolto app (state, sidebar, charts, post cards).

Only this package and ``app.py``/``pages/`` import streamlit; computations live
in :mod:`ascolto_core`.
"""
