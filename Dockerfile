# Seminar Bot. Build: `docker build -t seminar-bot .` (README, "Docker"), then
#   with a token:  docker run -d --env-file .env -v seminar-db:/data/db seminar-bot
#   the console:   docker run -it --rm -e SEMINAR_USER="$USER" -v seminar-db:/data/db seminar-bot
#   one command:   docker run --rm -v seminar-db:/data/db seminar-bot ask "why do treaties last?"
# or `docker compose up -d` / `docker compose run --rm bot console` (compose.yaml).
# PYTHON_IMAGE picks another Python 3.11+ base (a mirror, or a local image where Docker Hub
# cannot be reached); it needs python3 with the venv module.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LANG=C.UTF-8 \
    PATH=/opt/seminar-bot/bin:$PATH \
    SEMINAR_READINGS=/data/readings \
    SEMINAR_DB=/data/db/seminar.db

RUN useradd --create-home --uid 10001 seminar \
    && python3 -m venv /opt/seminar-bot
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
RUN pip install -q . && mkdir -p /data/readings /data/db && chown -R seminar /data
# The sample course, for a first try; mount your own readings over /data/readings.
COPY --chown=seminar knowledge /data/readings

USER seminar
VOLUME ["/data/readings", "/data/db"]
# With a token: the Discord (or Slack) bot. Without one: the console, which needs -it.
# Any other command runs as `docker run ... seminar-bot ask "..."` (the image's name first).
ENTRYPOINT ["seminar-bot"]
CMD ["run"]
