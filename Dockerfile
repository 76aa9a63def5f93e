FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# Libraries WeasyPrint needs (libharfbuzz-subset0 makes rendering about three times faster).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 vbr && mkdir -p /data/media && chown -R vbr /data
USER vbr
EXPOSE 8000
CMD ["gunicorn", "vbr.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
