# The portal's image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext nodejs npm postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt package.json package-lock.json ./
RUN pip install -r requirements.txt && npm ci --no-audit --no-fund --loglevel=error

COPY . .
# Build-time only values, for every command of this step: collectstatic and compilemessages load the
# production settings, which need values, not real secrets.
RUN export SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n') ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
 && python scripts/vendor_assets.py \
 && python manage.py collectstatic --no-input -v 0 \
 && python manage.py compilemessages --ignore=node_modules -v 0 \
 && rm -rf node_modules \
 && useradd --system --uid 1000 --home /app portal \
 && mkdir -p /app/media && chown portal /app/media

USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
