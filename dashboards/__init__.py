"""Dashboards: named read-only queries → pure figure functions → a static site and a Dash app."""
