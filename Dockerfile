# syntax=docker/dockerfile:1
#
# The gateway image: Node 22 on Debian bookworm (slim), amd64 and arm64 alike.
#
#   docker build -t openclaw-lite .
#   docker run -d -p 127.0.0.1:3000:3000 -v openclaw-data:/data \
#     -e OPENCLAW_GATEWAY_TOKEN="$(openssl rand -hex 32)" -e ANTHROPIC_API_KEY=... openclaw-lite
#
# Stage 1 builds dist/ (npm ci + npm run build); stage 2 installs production dependencies only; the
# last stage ships those two and nothing else, runs as the unprivileged `node` user (uid 1000) under
# tini, and keeps all state in /data (OPENCLAW_STATE_DIR). Optional extras, off by default:
#
#   --build-arg INSTALL_CHROMIUM=true   Debian's Chromium, for browser tooling and plugins
#   --build-arg INSTALL_SIGNAL=true     signal-cli (SIGNAL_CLI_VERSION) with a Java 21 runtime
#   --build-arg INSTALL_NGROK=true      the ngrok agent, for voice-call webhooks through an ngrok tunnel
#
# All come from sources that serve every architecture under the same URL (Debian, Adoptium and ngrok
# apt repositories; signal-cli's JVM release). Chromium and signal-cli each add a few hundred MB of
# disk and need a larger machine than the 256 MB the gateway alone is sized for (see docs/docker.md);
# ngrok is one static binary that runs only while a voice-call tunnel is configured.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
ARG INSTALL_CHROMIUM=false
ARG INSTALL_SIGNAL=false
ARG INSTALL_NGROK=false
ARG SIGNAL_CLI_VERSION=0.13.22

RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends tini tzdata; \
    if [ "$INSTALL_CHROMIUM" = "true" ]; then \
      apt-get install -y --no-install-recommends chromium fonts-liberation; \
    fi; \
    if [ "$INSTALL_SIGNAL" = "true" ]; then \
      apt-get install -y --no-install-recommends ca-certificates curl gnupg; \
      install -d -m 0755 /etc/apt/keyrings; \
      curl -fsSL https://packages.adoptium.net/artifactory/api/gpg/key/public | gpg --dearmor -o /etc/apt/keyrings/adoptium.gpg; \
      echo "deb [signed-by=/etc/apt/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb $(. /etc/os-release && echo "$VERSION_CODENAME") main" > /etc/apt/sources.list.d/adoptium.list; \
      apt-get update; \
      apt-get install -y --no-install-recommends temurin-21-jre; \
      curl -fsSL "https://github.com/AsamK/signal-cli/releases/download/v${SIGNAL_CLI_VERSION}/signal-cli-${SIGNAL_CLI_VERSION}.tar.gz" | tar -xz -C /opt; \
      ln -s "/opt/signal-cli-${SIGNAL_CLI_VERSION}/bin/signal-cli" /usr/local/bin/signal-cli; \
      apt-get purge -y curl gnupg; \
      apt-get autoremove -y; \
    fi; \
    if [ "$INSTALL_NGROK" = "true" ]; then \
      apt-get install -y --no-install-recommends ca-certificates curl; \
      install -d -m 0755 /etc/apt/keyrings; \
      curl -fsSL https://ngrok-agent.s3.amazonaws.com/ngrok.asc -o /etc/apt/keyrings/ngrok.asc; \
      echo "deb [signed-by=/etc/apt/keyrings/ngrok.asc] https://ngrok-agent.s3.amazonaws.com buster main" > /etc/apt/sources.list.d/ngrok.list; \
      apt-get update; \
      apt-get install -y --no-install-recommends ngrok; \
      apt-get purge -y curl; \
      apt-get autoremove -y; \
    fi; \
    rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    OPENCLAW_STATE_DIR=/data

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# `openclaw` on the PATH (`fly ssh console -C "openclaw doctor"`), run as `node` even from a root shell.
COPY docker/openclaw /usr/local/bin/openclaw

# /data belongs to the runtime user, so a fresh volume mounted there is writable.
RUN command -v setpriv \
    && chmod 755 /usr/local/bin/openclaw \
    && mkdir -p /data \
    && chown node:node /data \
    && chmod 700 /data

USER node
EXPOSE 3000

# Liveness on /healthz (unauthenticated, no I/O). The slim image has no curl, so Node asks. Set
# OPENCLAW_GATEWAY_PORT when you run the gateway on another port than 3000.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPENCLAW_GATEWAY_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# tini is PID 1: it forwards SIGTERM/SIGINT to the gateway (which shuts down cleanly) and reaps
# orphans. Fly.io's [processes] command replaces CMD and keeps this entrypoint.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/index.js", "gateway", "--allow-unconfigured", "--port", "3000", "--bind", "lan"]
