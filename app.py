"""Ascolto: placeholder router until the app issue lands."""

import streamlit as st

st.set_page_config(page_title="Ascolto", layout="wide")
st.title("Ascolto")
st.write("Ascolto dei clienti: in costruzione.")
