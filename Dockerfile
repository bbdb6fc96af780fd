# Seminar Bot: `docker build -t seminar-bot .` then
#   docker run --env-file .env -v "$PWD/knowledge:/data/readings" -v seminar-db:/data/db seminar-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SEMINAR_READINGS=/data/readings \
    SEMINAR_DB=/data/db/seminar.db

RUN useradd --create-home --uid 10001 seminar
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . && mkdir -p /data/readings /data/db && chown -R seminar /data
COPY --chown=seminar knowledge /data/readings

USER seminar
VOLUME ["/data/readings", "/data/db"]
CMD ["seminar-bot", "run"]
