"""Importers for hotline and message-board exports (CSV/XLSX) through config-defined profiles.

``run.import_file`` is the entry point; ``readers`` decodes files and finds headers, ``profiles``
matches headers to a profile, ``mapping`` turns a row into a Demand, ``dates`` parses times.
"""
