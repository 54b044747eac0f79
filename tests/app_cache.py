"""Clearing Streamlit's caches between app tests that load different data."""

import streamlit as st


def clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()
