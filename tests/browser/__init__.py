"""Browser tests: the built book and the notebooks in JupyterLab, in headless Chromium."""
