"""Pages people read in a browser: server-rendered HTML from the same service, assets served
by it (nothing from a CDN), so every page works offline. ``install_web`` wires them into the
FastAPI app; the pages read through app.services and app.store, as the API does."""

from app.web.mount import install_web

__all__ = ["install_web"]
