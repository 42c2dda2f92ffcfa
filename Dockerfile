# Rank and File's image: the app (web server, worker and clock run the same image with another
# command) and, as the target "nginx", nginx with the static files of the same build.
#   docker build -t rankandfile .          docker build --target nginx -t rankandfile-nginx .
# compose.yaml builds both.

FROM python:3.13-slim-bookworm AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# pg_dump and pg_restore for `manage backup` and `restore`: Debian bookworm's PostgreSQL 15
# client, the same major version as compose.yaml's server.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system rankandfile \
    && useradd --system --gid rankandfile --home-dir /srv/rankandfile rankandfile
WORKDIR /srv/rankandfile
# Dependencies first, so that a change to the code alone reuses this layer.
COPY pyproject.toml README.md ./
RUN mkdir rankandfile && touch rankandfile/__init__.py \
    && pip install . && pip uninstall --yes rankandfile && rm -rf rankandfile build
COPY rankandfile rankandfile
COPY templates templates
COPY static static
COPY deploy deploy
COPY manage.py ./
# The code runs from here (not installed), so that templates/ and static/ are found beside it.
ENV PYTHONPATH=/srv/rankandfile
RUN SECRET_KEY=only-for-collectstatic-at-build-time-never-used-to-sign-anything \
       FIELD_ENCRYPTION_KEYS=b25seS1mb3ItY29sbGVjdHN0YXRpYy1hdC1idWlsZC0= \
       LOOKUP_HASH_KEY=only-for-collectstatic-at-build-time \
       python -m rankandfile manage collectstatic --noinput \
    && mkdir -p /var/lib/rankandfile/media /tmp/prometheus \
    && chown rankandfile:rankandfile /var/lib/rankandfile/media /tmp/prometheus
USER rankandfile
ENV GUNICORN_BIND=0.0.0.0:8000 \
    MEDIA_ROOT=/var/lib/rankandfile/media \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]

FROM nginx:1.27-bookworm AS nginx
COPY --from=app /srv/rankandfile/staticfiles /srv/rankandfile/staticfiles
COPY deploy/nginx/rankandfile.conf /etc/nginx/conf.d/default.conf
COPY deploy/nginx/app-servers.compose.conf /etc/nginx/rankandfile-app-servers.conf
