"""SFT Workbench curation library: store, import, export, and the curation steps built on them."""

__version__ = "0.1.0"
