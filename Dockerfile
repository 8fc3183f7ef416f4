# factdiff service image. Build: docker build -t factdiff .
# Run:   docker run -p 8000:8000 -v factdiff-data:/data factdiff
# With a model: -e FACTDIFF_LLM_BASE_URL=http://host.docker.internal:11434/v1 -e FACTDIFF_LLM_MODEL=llama3.1
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/factdiff

# Dependencies first, so code changes do not reinstall them. The package itself is not
# installed: it runs from this folder, where prompts/, fixtures/ and alembic/ sit beside it.
COPY pyproject.toml README.md ./
COPY app/__init__.py app/__init__.py
COPY schemas/__init__.py schemas/__init__.py
RUN pip install ".[postgres,aiohttp]" && pip uninstall -y factdiff

COPY app app
COPY schemas schemas
COPY prompts prompts
COPY fixtures fixtures
COPY alembic alembic
COPY alembic.ini ./
RUN useradd --system --uid 10001 --home-dir /srv/factdiff factdiff \
    && mkdir /data && chown factdiff /data

USER factdiff
ENV FACTDIFF_DATABASE_URL=sqlite:////data/factdiff.db \
    FACTDIFF_FIXTURES_DIR=/srv/factdiff/fixtures/llm \
    PYTHONPATH=/srv/factdiff
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
