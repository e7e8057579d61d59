# The decision service as a container: the wheel is built in one stage and installed in a slim
# runtime that runs as an unprivileged user. Configuration is by ACCESS_POLICY_* variables
# (README, "Operating it"); compose.yaml runs two replicas over one PostgreSQL database.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY access_policy ./access_policy
COPY api ./api
COPY policies ./policies
COPY features ./features
RUN pip wheel --no-deps --wheel-dir /dist .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ACCESS_POLICY_HOST=0.0.0.0 \
    ACCESS_POLICY_PORT=8000 \
    ACCESS_POLICY_DATA_DIR=/var/lib/access-policy \
    ACCESS_POLICY_LOG_FORMAT=json
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/access-policy access-policy
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist
USER access-policy
WORKDIR /var/lib/access-policy
EXPOSE 8000
# Ready when the policy is loaded and the store answers (503 otherwise): the same check a load
# balancer should make. The slim image has no curl, so Python asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('ACCESS_POLICY_PORT', '8000'), timeout=2)"
ENTRYPOINT ["access-policy"]
CMD ["serve"]
