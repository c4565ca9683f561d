"""Workbooks: template builders, the headless refresh, and LibreOffice as an independent engine."""
