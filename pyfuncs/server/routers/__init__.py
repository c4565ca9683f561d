"""The server's routes, one small router per resource."""
