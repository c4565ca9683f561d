"""Whole deals: named assumptions, one vectorised engine, joint stress, portfolios."""
