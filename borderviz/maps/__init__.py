"""The map: folium builds the frame, the browser engine (``web/``) draws the data sent as packets."""
