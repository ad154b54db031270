# syntax=docker/dockerfile:1.7
#
# Two images from one file (helm/id3-operator/README.md has the build and push commands):
#
#   docker build --target operator -t ghcr.io/sfr/id3-operator:0.1.0 .   # `id3 operator`, what the chart deploys
#   docker build --target worker   -t ghcr.io/sfr/id3-worker:0.1.0 .     # stage pods: CUDA + tfjs-node-gpu
#
# The TypeScript sources are the program (bin/id3.js runs them through tsx, a production dependency): there is no
# build step, only production dependencies and the source folders the CLI imports. Both images run as uid 65532 and
# need nothing writable but /tmp (tsx's compile cache), so they run with readOnlyRootFilesystem.

# Node 22 LTS. The official image verifies Node's release signatures when it is built; pin it by digest
# (node:22.23.3-bookworm-slim@sha256:...) in a release pipeline.
ARG NODE_VERSION=22.23.3
# tfjs-node-gpu 4.22 links libtensorflow 2.9.1, built for CUDA 11.2 and cuDNN 8: CUDA 11.8's runtime serves it
# (minor-version compatibility) on any driver >= 520.
ARG CUDA_IMAGE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
# The npm the lockfile is written with (allowScripts, approve-scripts); used in build stages only.
ARG NPM_VERSION=11.19.1

FROM node:${NODE_VERSION}-bookworm-slim AS node

# The source folders the CLI runs, without tests (.dockerignore drops *.test.ts and test data).
FROM scratch AS sources
COPY package.json tsconfig.json /app/
COPY bin /app/bin
COPY api /app/api
COPY random /app/random
COPY workflow /app/workflow
COPY io /app/io
COPY cli /app/cli
COPY operator /app/operator
COPY runner /app/runner
COPY worker /app/worker
COPY tools /app/tools
COPY crds /app/crds

# Production dependencies of the operator: the data plane's packages go — TensorFlow.js and its backends
# (@tensorflow/*), Dawn (webgpu, 132 MB) and sharp with its libvips (@img/*). The operator never loads them
# (test/architecture proves it for its entry point, and .dependency-cruiser.cjs forbids them below worker/).
# No install script runs; esbuild ships a prebuilt binary.
FROM node AS operator-deps
ARG NPM_VERSION
RUN npm install --global --no-audit --no-fund npm@${NPM_VERSION}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@tensorflow node_modules/webgpu node_modules/sharp node_modules/@img \
 && npm cache clean --force

# Production dependencies of the worker, built on the worker's base (Ubuntu's glibc). tfjs-node-gpu's install
# script downloads libtensorflow (GPU) and its N-API addon: the one script allowed to run, approved explicitly
# (package.json's allowScripts does not list it, so a plain install would not run it).
FROM ${CUDA_IMAGE} AS worker-deps
ARG NPM_VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && npm install --global --no-audit --no-fund npm@${NPM_VERSION}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm approve-scripts @tensorflow/tfjs-node-gpu \
 && npm rebuild @tensorflow/tfjs-node-gpu --foreground-scripts \
 && test -f node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2 \
 && rm -rf node_modules/@tensorflow/tfjs-node \
 && npm cache clean --force

# The GPU worker: what the operator's stage Jobs run (`id3 worker <stage>`, /metrics on 9090).
FROM ${CUDA_IMAGE} AS worker
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=sources /app /app
COPY --from=worker-deps /app/node_modules /app/node_modules
RUN ln -s /app/bin/id3.js /usr/local/bin/id3
WORKDIR /app
USER 65532:65532
EXPOSE 9090
# A batch task: the Job controller watches its exit code; there is nothing to health-check.
HEALTHCHECK NONE
ENTRYPOINT ["id3"]
CMD ["worker", "--help"]

# The operator (the default target): `id3 operator`; /metrics, /healthz and /readyz on 8080.
FROM node:${NODE_VERSION}-bookworm-slim AS operator
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp
COPY --from=sources /app /app
COPY --from=operator-deps /app/node_modules /app/node_modules
RUN ln -s /app/bin/id3.js /usr/local/bin/id3
WORKDIR /app
USER 65532:65532
EXPOSE 8080
# For `docker run`; in Kubernetes the chart's liveness and readiness probes use the same endpoints.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["id3"]
CMD ["operator"]
