"""The headless refresh: inputs, the built-in and LibreOffice engines, the refresh itself."""
