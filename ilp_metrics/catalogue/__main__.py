"""`python -m ilp_metrics.catalogue > docs/indicators.md`: print the catalogue as Markdown."""

import sys

from ilp_metrics.catalogue.load import load_catalogue
from ilp_metrics.catalogue.render import render_markdown

sys.stdout.write(render_markdown(load_catalogue()))
