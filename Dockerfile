# loyalty-bot: `docker build -t loyalty-bot .` then `docker run --env-file .env -p 3000:3000 loyalty-bot`
# (or `docker compose up`, with PostgreSQL). Run `docker run --env-file .env loyalty-bot loyalty-bot check` first.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md manifest.yml ./
COPY bot ./bot
COPY handlers ./handlers
COPY localstack ./localstack
RUN pip install . \
    && useradd --create-home --uid 10001 loyalty \
    && mkdir /data && chown loyalty /data

USER loyalty
# SQLite in a volume unless DATABASE_URL says otherwise (compose.yaml points it at PostgreSQL).
ENV PORT=3000 \
    DATABASE_URL=sqlite:////data/loyalty-bot.db
VOLUME /data
EXPOSE 3000

# HTTP mode: /healthz answers 200 when the process can serve (in Socket Mode there is no HTTP to ask).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["loyalty-bot", "serve"]
