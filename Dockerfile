# factdiff image: the service, and the same image as `factdiff worker` (compose.yaml runs both).
# Build: docker build -t factdiff .
# Run:   docker run -p 8000:8000 -v factdiff-data:/data factdiff
# With a model: -e FACTDIFF_LLM_BASE_URL=http://host.docker.internal:11434/v1 -e FACTDIFF_LLM_MODEL=llama3.1
# Any command: docker run factdiff --help  (the entrypoint is the factdiff command)

# The venv is built in its own stage, so pip, its cache and the build backend stay out of the
# image that runs.
FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /srv/factdiff

# Dependencies first, so a code change does not reinstall them: the project with empty
# packages brings every dependency in, then goes. The extras: PostgreSQL (compose.yaml) and
# FACTDIFF_LLM_HTTP_CLIENT=aiohttp.
COPY pyproject.toml README.md ./
COPY app/__init__.py app/__init__.py
COPY schemas/__init__.py schemas/__init__.py
RUN pip install ".[postgres,aiohttp]" && pip uninstall -y factdiff

# The project itself, installed in place (editable): it reads prompts/, fixtures/ and alembic/
# beside app/ (app/core/config.py, PROJECT_ROOT), which a copy in site-packages would not
# have. The runtime stage puts the code at this same path, and /opt/venv/bin/factdiff is the
# command the README names.
COPY app app
COPY schemas schemas
RUN pip install --no-deps -e .


FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

RUN groupadd --system --gid 10001 factdiff \
    && useradd --system --uid 10001 --gid 10001 --home-dir /srv/factdiff factdiff \
    && mkdir /data && chown factdiff:factdiff /data

COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/factdiff
# Owned by root and read-only to the service: it writes only to /data (and a PostgreSQL).
COPY alembic.ini ./
COPY app app
COPY schemas schemas
COPY prompts prompts
COPY fixtures fixtures
COPY alembic alembic

# By number, so that a runtime checking for a non-root user (runAsNonRoot) can tell.
USER 10001:10001
ENV FACTDIFF_DATABASE_URL=sqlite:////data/factdiff.db
EXPOSE 8000
# The service's health: /healthz answers 200 with "degraded" when the database does not
# answer. compose.yaml turns it off for workers, which serve no HTTP.
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import json,sys,urllib.request; sys.exit(json.load(urllib.request.urlopen('http://127.0.0.1:8000/healthz'))['status'] != 'ok')"]
ENTRYPOINT ["factdiff"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
