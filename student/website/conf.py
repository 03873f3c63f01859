"""Sphinx settings of the course's pages (website/build.py copies this file beside the pages it stages)."""

project = "Deep generative models: labs"
author = "the course's instructors"
extensions = ["myst_nb"]

nb_execution_mode = "off"                       # the pages show the labs as released; nothing runs
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

html_theme = "alabaster"
html_title = project
html_static_path = ["_static"]
html_favicon = "favicon.png"               # written by build.py
html_theme_options = {"page_width": "1100px", "sidebar_width": "250px", "show_relbars": True, "show_powered_by": False}
html_show_sphinx = False
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_show_sourcelink = False
html_copy_source = False

# MathJax 3 (its SVG output needs no web fonts) from PyPI's django-static-mathjax package, copied into
# _static/mathjax by build.py: the pages load no script from elsewhere.
mathjax_path = "mathjax/tex-svg.js"
