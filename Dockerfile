# One image for both services; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/ ./
RUN if [ -f package.json ]; then npm ci && npm run build; else mkdir -p dist; fi

FROM python:3.11-slim-bookworm
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY crm/ crm/
COPY channel-service/ channel-service/
RUN pip install --no-cache-dir './crm[llm]' ./channel-service
COPY --from=web /src/web/dist web/dist
ENV WEB_DIST_DIR=/app/web/dist
EXPOSE 8000 8001
CMD ["uvicorn", "crm.main:app", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers"]
