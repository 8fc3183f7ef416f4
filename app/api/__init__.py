"""The HTTP API: the FastAPI app, dependencies, routes, request limits, auth, rate limits,
CORS and the HTTP request and response models.

The top layer: routes parse a request, call a use case in app.services or a query in
app.store, and map domain errors to statuses. Nothing below imports it.
"""
