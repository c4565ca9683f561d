"""TEXT with Excel number format codes."""
