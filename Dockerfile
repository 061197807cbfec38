# The tagger's REST service: `tagger serve` (gunicorn, model preloaded) on $PORT.
#   docker build -t vn-tech-tagger .
#   docker run --rm -p 8000:8000 vn-tech-tagger
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1 \
    PORT=8000

RUN useradd --create-home --uid 10001 tagger

# Dependencies first, from the runtime lock alone (not requirements-dev.lock: no test kit,
# no dask): this layer is rebuilt only when the lock changes.
COPY requirements.lock /tmp/requirements.lock
RUN pip install -r /tmp/requirements.lock && rm /tmp/requirements.lock

# Then the code, with the model bundle (model/artifacts/) as package data. Importing the
# service and loading the bundle here fails the build if a package or dependency is
# missing, or the bundle is missing, corrupt or from another scikit-learn, rather than
# the container at start-up.
COPY pyproject.toml /src/
COPY model /src/model
COPY service /src/service
COPY training /src/training
RUN pip install --no-deps /src && rm -rf /src \
 && python -c "import service.app, service.cli; from model.bundle import load_bundle; load_bundle()"

USER tagger
WORKDIR /home/tagger
EXPOSE 8000

# slim has no curl; urlopen raises (exit 1) unless /healthz answers 2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1

# gunicorn, run in-process by `tagger serve` (so it is PID 1 and gets SIGTERM):
# --preload, one worker per core (TAGGER_WORKERS to change), listening on $PORT.
CMD ["tagger", "serve", "--host", "0.0.0.0"]
