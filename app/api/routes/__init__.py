"""One module of routes per resource; each route a few lines over a use case or a query."""
