"""borderviz in a browser: ``streamlit run app.py`` (or ``borderviz app`` from an installed package).

The app itself is ``borderviz/app.py``, shipped inside the package; this file
runs it so that a checkout and an installed wheel show the same app.
"""

import runpy
from pathlib import Path

import borderviz

runpy.run_path(str(Path(borderviz.__file__).with_name("app.py")), run_name="__main__")
