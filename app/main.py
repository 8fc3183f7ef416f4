"""The ASGI entry point, ``uvicorn app.main:app``; the app is built in app.api.main."""

from app.api.main import app as app
