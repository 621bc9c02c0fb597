"""The evaluation routes take no URL parameters (filters are in the query string)."""

PROVIDERS: dict = {}
